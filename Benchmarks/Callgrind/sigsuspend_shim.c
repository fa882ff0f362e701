/* valgrind 3.19 writes into the mask sigsuspend is given (it removes its own kill signal);
   libdispatch's main thread passes one in read-only memory, and valgrind crashes. This hands
   the kernel a copy on the stack. Profiling only: LD_PRELOAD under valgrind. */
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)8);
}
