"""How long fdatasync takes on this file system, over time, and when watched files change.

    python3 Benchmarks/Probes/fsync_timeline.py PROBE_FILE SECONDS [WATCHED_FILE...]

Writes 8 kB and fdatasyncs PROBE_FILE every 2 ms (what a WAL flush per commit does), prints
each flush over 15 ms with its time, when a watched file's mtime changes (a broker's
persistence file, say), and the flushes' p50/p99/p99.9/max. docs/PERFORMANCE.md, issue #16.
"""
import os, time, sys
path = sys.argv[1]; secs = float(sys.argv[2]); watch = sys.argv[3:]
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
buf = b'x' * 8192
slow = []; n = 0; lat=[]
mt = {w: os.stat(w).st_mtime for w in watch}
t0 = time.time(); end = time.monotonic() + secs
while time.monotonic() < end:
    os.pwrite(fd, buf, (n % 256) * 8192); n += 1
    t = time.monotonic(); os.fdatasync(fd); d = (time.monotonic() - t) * 1000; lat.append(d)
    if d > 15: slow.append((round(time.time() - t0, 2), round(d, 1)))
    for w in watch:
        m = os.stat(w).st_mtime
        if m != mt[w]: print(f"{time.time()-t0:.2f}s {w} changed (size {os.stat(w).st_size})"); mt[w] = m
    time.sleep(0.002)
lat.sort()
print("slow fdatasyncs (s since start, ms):", slow)
print(f"n={n} p50={lat[n//2]:.2f} p99={lat[int(n*0.99)]:.2f} p99.9={lat[int(n*0.999)]:.2f} max={lat[-1]:.2f}")
os.unlink(path)
