import CMalloc
import Testing

@testable import GatewayDaemon

@Suite struct FreeMemoryReturnTests {
    @Test func theGatewaySetsBothLimitsWhenTheOperatorSetNeither() {
        #expect(FreeMemoryReturn.allocatorSettings(environment: [:]) == [.arenaLimit(2), .mmapThreshold(524_288)])
    }

    @Test(arguments: [
        (["MALLOC_ARENA_MAX": "4"], [FreeMemoryReturn.AllocatorSetting.mmapThreshold(524_288)]),
        (["GLIBC_TUNABLES": "glibc.malloc.arena_max=4"], [.mmapThreshold(524_288)]),
        (["MALLOC_MMAP_THRESHOLD_": "131072"], [.arenaLimit(2)]),
        (["GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072"], [.arenaLimit(2)]),
        (["GLIBC_TUNABLES": "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=131072"], []),
    ])
    func whatTheOperatorSetIsLeftAlone(environment: [String: String], expected: [FreeMemoryReturn.AllocatorSetting]) {
        #expect(FreeMemoryReturn.allocatorSettings(environment: environment) == expected)
    }

    /// The threshold takes: a block of a batch's size is mapped on its own, and unmapped when
    /// freed, whatever larger blocks were freed before (glibc's sliding threshold would have
    /// put the second in the heap).
    @Test func aBatchSizedBlockIsMappedAndGivenBackWhenFreed() {
        FreeMemoryReturn.configureAllocator(environment: [:])
        // A larger block freed first: without a fixed threshold glibc would raise it to 2 MB.
        let large = UnsafeMutableRawPointer.allocate(byteCount: 2 << 20, alignment: 16)
        large.deallocate()
        let before = mallinfo2()
        let block = UnsafeMutableRawPointer.allocate(byteCount: 600_000, alignment: 16)
        let during = mallinfo2()
        block.deallocate()
        let after = mallinfo2()
        #expect(during.hblks == before.hblks + 1)
        #expect(during.hblkhd >= before.hblkhd + 600_000)
        #expect(after.hblks == before.hblks)
    }
}
