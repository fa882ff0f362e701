import Testing

@testable import GatewayDaemon

/// When `READY=1` may be said.
@Suite struct StartupGateTests {
    struct PortTaken: Error {}

    @Test func readyOnceTheBrokerAnsweredAndEveryListenerIsBound() async {
        let gate = StartupGate(listeners: 2)
        let waiter = Task { await gate.wait() }
        gate.listenerBound()
        gate.brokerConnected()
        gate.brokerConnected()  // every reconnect says it again
        try? await Task.sleep(for: .milliseconds(20))
        gate.listenerBound()
        guard case .ready = await waiter.value else {
            Issue.record("not ready with the broker and both listeners")
            return
        }
    }

    @Test func notReadyWhileAListenerIsMissing() async {
        let gate = StartupGate(listeners: 1)
        gate.brokerConnected()
        let waiter = Task { await gate.wait() }
        try? await Task.sleep(for: .milliseconds(50))
        gate.stop()
        guard case .stopped = await waiter.value else {
            Issue.record("ready without its listener")
            return
        }
    }

    @Test func notReadyBeforeTheOperationsEndpointListens() async {
        let gate = StartupGate(listeners: 0, http: true)
        gate.brokerConnected()
        let early = Task { await gate.wait() }
        try? await Task.sleep(for: .milliseconds(50))
        gate.stop()
        guard case .stopped = await early.value else {
            Issue.record("ready before /healthz could answer")
            return
        }

        let second = StartupGate(listeners: 0, http: true)
        let waiter = Task { await second.wait() }
        second.brokerConnected()
        second.httpSettled()
        guard case .ready = await waiter.value else {
            Issue.record("not ready once the endpoint listens")
            return
        }
    }

    @Test func aFeedThatCannotStartFailsTheStartEvenWhenTheRestIsThere() async {
        let gate = StartupGate(listeners: 1)
        gate.feedFailed("fids", PortTaken())
        gate.brokerConnected()
        gate.listenerBound()
        guard case .failed(let feed, let error) = await gate.wait() else {
            Issue.record("a failed feed did not fail the start")
            return
        }
        #expect(feed == "fids")
        #expect(error is PortTaken)
    }

    @Test func whatHappensAfterReadyDoesNotChangeIt() async {
        let gate = StartupGate(listeners: 0)
        gate.brokerConnected()
        gate.feedFailed("fids", PortTaken())
        gate.stop()
        guard case .ready = await gate.wait() else {
            Issue.record("ready was taken back")
            return
        }
    }
}

@Suite struct LatchTests {
    @Test func aWaiterIsWokenWhenItOpens() async {
        let latch = Latch()
        let waiter = Task { await latch.wait(timeout: .seconds(10)) }
        try? await Task.sleep(for: .milliseconds(20))
        latch.open()
        #expect(await waiter.value)
        // Open stays open.
        #expect(await latch.wait(timeout: .milliseconds(1)))
    }

    @Test func theTimeLimitEndsTheWait() async {
        let latch = Latch()
        let started = ContinuousClock.now
        #expect(await latch.wait(timeout: .milliseconds(50)) == false)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(!latch.isOpen)
    }
}
