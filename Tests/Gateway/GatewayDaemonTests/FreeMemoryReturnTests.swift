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
}
