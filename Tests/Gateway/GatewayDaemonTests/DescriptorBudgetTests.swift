import Testing

@testable import GatewayDaemon

/// The operations endpoint's connection cap (issue 18, item 8): descriptors stay for the
/// pipeline and the feeds' slots.
@Suite struct DescriptorBudgetTests {
    @Test func theEndpointLeavesThePipelineItsReserve() {
        #expect(DescriptorBudget.httpConnections(descriptorLimit: 65_536, feedSlots: 128) == 1_024)
        #expect(DescriptorBudget.httpConnections(descriptorLimit: 1_024, feedSlots: 128) == 1_024 - 256 - 128)
        #expect(DescriptorBudget.httpConnections(descriptorLimit: 256, feedSlots: 64) == 16)
    }

    @Test func theSoftLimitIsRaisedTowardsTheHardOne() {
        #expect(DescriptorBudget.raiseLimit() >= 1_024)
    }
}
