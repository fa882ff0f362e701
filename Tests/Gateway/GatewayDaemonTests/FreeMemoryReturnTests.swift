import Glibc
import Testing

@testable import GatewayDaemon

/// The allocator the gateway links (CJemalloc): jemalloc serves this process's `malloc`, with
/// the settings built in, and gives pages back when asked.
@Suite struct FreeMemoryReturnTests {
    @Test func jemallocServesMallocWithTheBuiltInSettings() throws {
        let version = try #require(Jemalloc.version)
        #expect(version.hasPrefix("5."))
        #expect(Jemalloc.builtInSettings == "narenas:1")
        #expect(Jemalloc.arenas == 1)
        // glibc's malloc serving the process would leave jemalloc's count of this thread's
        // allocations where it was.
        let before = try #require(Jemalloc.allocatedByThisThread)
        let block = try #require(malloc(4 << 20))
        let after = try #require(Jemalloc.allocatedByThisThread)
        free(block)
        #expect(after - before >= 4 << 20)
    }

    @Test func aPurgeGivesTheFreedPagesBack() throws {
        // Many blocks of a size jemalloc keeps in its arena's pages, touched and freed.
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<256 {
            let block = try #require(malloc(64 << 10))
            block.initializeMemory(as: UInt8.self, repeating: 1, count: 64 << 10)
            blocks.append(block)
        }
        for block in blocks { free(block) }
        let held = try #require(Jemalloc.dirtyPages)
        #expect(held > 0)
        #expect(Jemalloc.purge())
        let left = try #require(Jemalloc.dirtyPages)
        #expect(left < held)
    }

    @Test func thePurgeWaitsForFramesAndTime() {
        let memory = FreeMemoryReturn(interval: .seconds(3600), framesPerReturn: 100)
        memory.committed(frames: 99)
        #expect(memory.returnIfDue() == 0)
        // Enough frames, and the first purge is due at once (nothing before it).
        memory.committed(frames: 1)
        #expect(memory.returnIfDue() > 0)
        // Enough frames again, but not an hour later.
        memory.committed(frames: 500)
        #expect(memory.returnIfDue() == 0)
    }
}
