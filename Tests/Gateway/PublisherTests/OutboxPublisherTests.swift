import MQTT
import MQTTWire
import Telemetry
import Publisher
import Testing

/// The publisher against a fake link and a fake outbox: no broker, no database. The
/// integration and fault suites cover the same behaviour end to end with mosquitto.
@Suite("OutboxPublisher: order, PUBACKs, refusals, reconnects, the in-flight window")
struct OutboxPublisherTests {
    @Test func afterEachConnectItSaysOnlineSubscribesToResyncSendsTheBirthThenEventsInOutboxOrder() async throws {
        try await PublisherHarness.run(birth: [state("LX1234-20261124-D")]) { harness in
            await harness.commit(events(1...3))
            harness.link.connect()
            let sent = try await harness.link.waitForPublishes(5)
            #expect(sent.map(\.topic) == [
                PublisherHarness.statusTopic, "flightedge/ZRH/flights/LX1234-20261124-D",
                "flightedge/ZRH/events/gate-change", "flightedge/ZRH/events/gate-change", "flightedge/ZRH/events/gate-change",
            ])
            #expect(sent[0].payload == PublisherHarness.online && sent[0].retain && sent[0].qos == 1)
            #expect(sent[1].retain)
            #expect(harness.publishedEventIDs == [1, 2, 3])
            #expect(sent[2...].allSatisfy { !$0.retain && $0.qos == 1 })
            let subscriptions = harness.link.traffic.value.subscriptions
            #expect(subscriptions.map { $0.filter } == [PublisherHarness.resyncTopic] && subscriptions.first?.qos == 1)

            // Events committed while the broker is away wait in memory, behind the next birth.
            for publish in sent.dropFirst(2) { harness.link.acknowledge(publish.messageID) }
            try await harness.outbox.waitUntilPublished(1...3)
            harness.link.dropConnection()
            try await harness.link.waitUntilObserved(5)
            await harness.commit(events(4...5))
            harness.link.connect()
            let again = try await harness.link.waitForPublishes(9)
            #expect(again.dropFirst(5).map(\.topic) == [
                PublisherHarness.statusTopic, "flightedge/ZRH/flights/LX1234-20261124-D",
                "flightedge/ZRH/events/gate-change", "flightedge/ZRH/events/gate-change",
            ])
            #expect(harness.publishedEventIDs == [1, 2, 3, 4, 5])
            #expect(harness.link.traffic.value.subscriptions.count == 2, "the resync subscription again")
        }
    }

    @Test func aPUBACKMarksItsEventPublishedInTheOutboxAndNoOther() async throws {
        try await PublisherHarness.run { harness in
            harness.link.connect()
            await harness.commit(events(1...3))
            let sent = try await harness.link.waitForPublishes(3, on: event(1).topic)
            harness.link.acknowledge(sent[1].messageID)
            try await harness.outbox.waitUntilPublished([2])
            try await Task.sleep(for: .milliseconds(100))  // a few flushes (every 20 ms)
            #expect(harness.outbox.published == [2])
            #expect(await harness.publisher.published == 1)

            harness.link.acknowledge(sent[0].messageID)
            harness.link.acknowledge(sent[2].messageID)
            try await harness.outbox.waitUntilPublished([1, 3])
            #expect(harness.outbox.published.sorted() == [1, 2, 3])
            #expect(await harness.publisher.published == 3)
        }
    }

    @Test func aStatePUBACKMarksNothingInTheOutbox() async throws {
        try await PublisherHarness.run(birth: [state("LX1")]) { harness in
            harness.link.connect()
            let sent = try await harness.link.waitForPublishes(1, on: state("LX1").topic)
            harness.link.acknowledge(sent[0].messageID)
            await harness.commit([event(7)])
            let event7 = try await harness.link.waitForPublishes(1, on: event(7).topic)
            harness.link.acknowledge(event7[0].messageID)
            try await harness.outbox.waitUntilPublished([7])
            #expect(harness.outbox.published == [7])
            #expect(await harness.publisher.published == 2)
        }
    }

    /// PUBACK reason 0x87 (not authorised, a broker's ACL): counted, kept, and sent again
    /// after 1 s × [0.5, 1], then 2 s × [0.5, 1]; never marked published until accepted.
    @Test func aRefusedPUBACKIsCountedKeptAndSentAgainWithBackoff() async throws {
        try await PublisherHarness.run { harness in
            let clock = ContinuousClock()
            harness.link.connect()
            await harness.commit([event(1)])
            var sent = try await harness.link.waitForPublishes(1, on: event(1).topic)
            var refusedAt = clock.now
            harness.link.acknowledge(sent[0].messageID, reasonCode: 0x87)
            sent = try await harness.link.waitForPublishes(2, on: event(1).topic)
            let firstWait = clock.now - refusedAt
            #expect(firstWait >= .milliseconds(500), "the first retry waits half a second at least: \(firstWait)")
            #expect(harness.sample("flightedge_mqtt_publish_refusals_total") == 1)
            #expect(harness.outbox.published.isEmpty, "a refused event is not published")
            #expect(sent[1].userProperties["event_id"] == "event-1")

            refusedAt = clock.now
            harness.link.acknowledge(sent[1].messageID, reasonCode: 0x87)
            sent = try await harness.link.waitForPublishes(3, on: event(1).topic)
            let secondWait = clock.now - refusedAt
            #expect(secondWait >= .seconds(1), "the second retry waits longer: \(secondWait)")
            #expect(harness.sample("flightedge_mqtt_publish_refusals_total") == 2)

            harness.link.acknowledge(sent[2].messageID)
            try await harness.outbox.waitUntilPublished([1])
            #expect(harness.publishedEventIDs == [1, 1, 1])
            #expect(await harness.publisher.pendingCount == 0)
        }
    }

    @Test func aDisconnectSendsWhatWasInFlightAgainAfterTheReconnectInOrder() async throws {
        try await PublisherHarness.run(birth: [state("LX1")]) { harness in
            harness.link.connect()
            await harness.commit(events(1...3))
            let sent = try await harness.link.waitForPublishes(3, on: event(1).topic)
            harness.link.acknowledge(sent[0].messageID)
            try await harness.outbox.waitUntilPublished([1])

            harness.link.dropConnection()
            let before = harness.link.publishes.count
            harness.link.connect()
            let all = try await harness.link.waitForPublishes(before + 4)
            let after = Array(all.dropFirst(before).prefix(4))
            #expect(after.map(\.topic) == [
                PublisherHarness.statusTopic, state("LX1").topic, event(2).topic, event(3).topic,
            ])
            #expect(after.compactMap(PublisherHarness.outboxID) == [2, 3], "the acknowledged event is not sent again")
            #expect(harness.sample("flightedge_broker_reconnects_total") == 1)
            // A late PUBACK from the connection that dropped marks nothing.
            let observed = harness.link.traffic.value.observed.count
            harness.link.acknowledge(sent[1].messageID)
            try await harness.link.waitUntilObserved(observed + 1)
            await harness.publisher.flushAcknowledged()
            #expect(harness.outbox.published == [1])
            for publish in after.suffix(2) { harness.link.acknowledge(publish.messageID) }
            try await harness.outbox.waitUntilPublished([2, 3])
            #expect(harness.outbox.published.sorted() == [1, 2, 3])
        }
    }

    @Test func drainFinishesOnlyWhenEverythingIsAcknowledgedAndRecorded() async throws {
        try await PublisherHarness.run { harness in
            harness.link.connect()
            await harness.commit(events(1...2))
            let sent = try await harness.link.waitForPublishes(2, on: event(1).topic)
            #expect(await harness.publisher.drain(timeout: .milliseconds(300)) == false)
            #expect(await harness.publisher.isIdle == false)

            let publisher = harness.publisher
            let draining = Task { await publisher.drain(timeout: .seconds(10)) }
            harness.link.acknowledge(sent[0].messageID)
            harness.link.acknowledge(sent[1].messageID)
            #expect(await draining.value)
            #expect(await harness.publisher.isIdle)
            try await harness.outbox.waitUntilPublished([1, 2])
        }
    }

    @Test func drainWaitsForTheOutboxWriteOfTheLastPUBACKs() async throws {
        try await PublisherHarness.run { harness in
            harness.outbox.contents.update { $0.markDelay = .milliseconds(300) }
            harness.link.connect()
            await harness.commit(events(1...2))
            let sent = try await harness.link.waitForPublishes(2, on: event(1).topic)
            harness.link.acknowledge(sent[0].messageID)
            harness.link.acknowledge(sent[1].messageID)
            // Let the publisher's own flush take the ids and start its (slow) write.
            try await Task.sleep(for: .milliseconds(100))
            #expect(await harness.publisher.drain(timeout: .seconds(10)))
            // Drained means recorded: a stop now starts the next run with nothing to send again.
            #expect(harness.outbox.published.sorted() == [1, 2])
        }
    }

    @Test func noMoreThanMaxInflightMessagesWaitForTheirPUBACK() async throws {
        try await PublisherHarness.run(maxInflight: 3) { harness in
            harness.link.connect()
            await harness.commit(events(1...10))
            var acknowledged = 0
            while acknowledged < 10 {
                let sent = try await harness.link.waitForPublishes(min(10, acknowledged + 3), on: event(1).topic)
                try await Task.sleep(for: .milliseconds(50))  // room for a publish too many
                let outstanding = harness.publishedEventIDs.count - acknowledged
                #expect(outstanding == min(3, 10 - acknowledged), "in flight after \(acknowledged) PUBACKs: \(outstanding)")
                harness.link.acknowledge(sent[acknowledged].messageID)
                acknowledged += 1
            }
            try await harness.outbox.waitUntilPublished(1...10)
            #expect(harness.publishedEventIDs == Array(1...10))
        }
    }

    @Test func aReadsPUBACKsTogetherRefillTheWindowAndMarkEachEventOnce() async throws {
        try await PublisherHarness.run(maxInflight: 4) { harness in
            harness.link.connect()
            await harness.commit(events(1...10))
            let first = try await harness.link.waitForPublishes(4, on: event(1).topic)
            harness.link.acknowledge(all: first.prefix(3).map(\.messageID))
            // Three acknowledged at once: three more sent, the window full again.
            let next = try await harness.link.waitForPublishes(7, on: event(1).topic)
            try await Task.sleep(for: .milliseconds(50))
            #expect(harness.publishedEventIDs == Array(1...7))
            try await harness.outbox.waitUntilPublished([1, 2, 3])
            harness.link.acknowledge(all: next.suffix(4).map(\.messageID) + [first[0].messageID])  // a repeat is ignored
            let last = try await harness.link.waitForPublishes(10, on: event(1).topic)
            harness.link.acknowledge(all: last.suffix(3).map(\.messageID))
            try await harness.outbox.waitUntilPublished(1...10)
            #expect(harness.outbox.published.sorted() == Array(1...10))
            #expect(await harness.publisher.published == 10)
        }
    }

    @Test func aResyncRequestRepublishesTheBirthAndOtherMessagesDoNot() async throws {
        try await PublisherHarness.run(birth: [state("LX1"), state("BA117")]) { harness in
            harness.link.connect()
            try await harness.link.waitForPublishes(3)
            harness.link.deliver(topic: "flightedge/ZRH/cmd/other")
            harness.birth.update { $0 = [state("LX1", #"{"seq":2}"#), state("BA117")] }
            harness.link.deliver(topic: PublisherHarness.resyncTopic)
            let sent = try await harness.link.waitForPublishes(5)
            #expect(sent.dropFirst(3).map(\.text) == [#"{"seq":2}"#, #"{"seq":1}"#])
            #expect(sent.dropFirst(3).map(\.topic) == [state("LX1").topic, state("BA117").topic])
            try await Task.sleep(for: .milliseconds(200))
            #expect(harness.link.publishes.count == 5)
        }
    }

    @Test func stateWaitingForTheBrokerKeepsOnlyTheNewestPayloadPerTopic() async throws {
        try await PublisherHarness.run { harness in
            await harness.publisher.enqueueState([state("LX1", #"{"seq":1}"#), state("BA117")])
            await harness.publisher.enqueueState([state("LX1", #"{"seq":2}"#)])
            #expect(harness.link.publishes.isEmpty, "nothing goes out before the CONNACK")
            harness.link.connect()
            let sent = try await harness.link.waitForPublishes(3)
            #expect(sent.dropFirst().map(\.topic) == [state("LX1").topic, state("BA117").topic])
            #expect(sent[1].text == #"{"seq":2}"#)
            try await Task.sleep(for: .milliseconds(200))
            #expect(harness.link.publishes.count == 3)
        }
    }

    /// While the broker is away, at most `memoryLimit` events wait in memory; the others are
    /// read back from the outbox, in id order, once the broker is back.
    @Test func eventsOverTheMemoryLimitAreReadBackFromTheOutboxInOrder() async throws {
        try await PublisherHarness.run(memoryLimit: 2) { harness in
            harness.link.connect()
            #expect(await harness.publisher.drain(timeout: .seconds(5)), "connected, with nothing in the outbox")
            harness.link.dropConnection()
            try await harness.link.waitUntilObserved(2)
            await harness.commit(events(1...2))
            await harness.commit(events(3...6))
            #expect(await harness.publisher.pendingCount == 6, "two in memory, four in the outbox only")

            harness.link.connect()
            let sent = try await harness.link.waitForPublishes(6, on: event(1).topic)
            #expect(harness.publishedEventIDs == Array(1...6))
            for publish in sent { harness.link.acknowledge(publish.messageID) }
            try await harness.outbox.waitUntilPublished(1...6)
            try await Task.sleep(for: .milliseconds(100))
            #expect(harness.publishedEventIDs == Array(1...6), "each event once")
        }
    }

    /// A burst committed faster than a connected broker acknowledges: past `memoryLimit` the
    /// events wait in the outbox only, are counted as pending, and all go out once, in order.
    @Test func aBurstPastTheMemoryLimitWhileConnectedGoesOutOnceInOrder() async throws {
        try await PublisherHarness.run(maxInflight: 2, memoryLimit: 3) { harness in
            harness.link.connect()
            #expect(await harness.publisher.drain(timeout: .seconds(5)), "connected, with nothing in the outbox")
            await harness.commit(events(1...2))
            await harness.commit(events(3...5))
            await harness.commit(events(6...9))
            #expect(await harness.publisher.pendingCount == 9, "nothing acknowledged yet")
            var acknowledged = 0
            while acknowledged < 9 {
                let sent = try await harness.link.waitForPublishes(acknowledged + 1, on: event(1).topic)
                harness.link.acknowledge(sent[acknowledged].messageID)
                acknowledged += 1
            }
            try await harness.outbox.waitUntilPublished(1...9)
            #expect(await harness.publisher.drain(timeout: .seconds(5)))
            #expect(harness.publishedEventIDs == Array(1...9), "each event once, in outbox order")
            #expect(await harness.publisher.pendingCount == 0)
        }
    }

    @Test func anEventTheClientCannotQueueIsSentAfterTheNextConnect() async throws {
        try await PublisherHarness.run { harness in
            harness.link.connect()
            #expect(await harness.publisher.drain(timeout: .seconds(5)), "connected, with nothing in the outbox")
            harness.link.traffic.update { $0.refusesToQueue = true }
            await harness.commit([event(1)])
            #expect(harness.publishedEventIDs.isEmpty)
            harness.link.traffic.update { $0.refusesToQueue = false }
            harness.link.dropConnection()
            harness.link.connect()
            try await harness.link.waitForPublishes(1, on: event(1).topic)
            try await Task.sleep(for: .milliseconds(100))
            #expect(harness.publishedEventIDs == [1])
        }
    }

    @Test func mqtt5PublishesCarryTheEventIDSchemaAndExpiryAnd311NoProperties() async throws {
        try await PublisherHarness.run(birth: [state("LX1")]) { harness in
            harness.link.connect()
            await harness.commit([event(1)])
            let sent = try await harness.link.waitForPublishes(3)
            let eventPublish = try #require(sent.first { $0.topic == event(1).topic })
            #expect(eventPublish.userProperties == ["event_id": "event-1", "schema": "flightedge.event/1"])
            #expect(eventPublish.properties?.messageExpirySeconds == UInt32(6 * 3600), "six hours")
            #expect(eventPublish.properties?.contentType == "application/json")
            let statePublish = try #require(sent.first { $0.topic == state("LX1").topic })
            #expect(statePublish.userProperties == ["schema": "flightedge.flight/1"])
            #expect(statePublish.properties?.messageExpirySeconds == nil, "retained state does not expire")
        }
        try await PublisherHarness.run(birth: [state("LX1")], protocolVersion: .v311) { harness in
            harness.link.connect()
            await harness.commit([event(1)])
            let sent = try await harness.link.waitForPublishes(3)
            #expect(sent.allSatisfy { $0.properties == nil })
        }
    }

    @Test func sayOfflinePublishesOfflineRetainedAndWaitsForItsPUBACK() async throws {
        try await PublisherHarness.run { harness in
            let publisher = harness.publisher
            await publisher.sayOffline(timeout: .seconds(5))
            #expect(harness.link.publishes.isEmpty, "not connected: nothing to say")

            harness.link.connect()
            try await harness.link.waitForPublishes(1)
            let returned = Recorded(false)
            Task {
                await publisher.sayOffline(timeout: .seconds(10))
                returned.update { $0 = true }
            }
            let offline = try await harness.link.waitForPublishes(2, on: PublisherHarness.statusTopic)[1]
            #expect(offline.payload == PublisherHarness.offline && offline.retain && offline.qos == 1)
            try await Task.sleep(for: .milliseconds(200))
            #expect(returned.value == false, "it waits for the PUBACK")
            harness.link.acknowledge(offline.messageID)
            try await returned.wait(for: "sayOffline to return on the PUBACK", within: .seconds(5)) { $0 }
        }
    }
}
