import MQTT
import MQTTWire
import Publisher
import Testing

/// Replays through the publisher: the requests reach the replay service, and the events go out
/// again unchanged, after the live ones, within the window, surviving a lost connection, never
/// marked in the outbox.
@Suite("OutboxPublisher: replays")
struct OutboxPublisherReplayTests {
    /// An event as the outbox keeps it and a replay hands it over (no outbox id on the way).
    static func retained(_ id: Int64) -> OutgoingMessage {
        var message = event(id)
        message.outboxID = nil
        return message
    }

    @Test func itSubscribesToTheReplayTopicAfterEachConnectAndHandsOverTheRequestsInOrder() async throws {
        try await PublisherHarness.run(replayTopic: PublisherHarness.replayTopic) { harness in
            harness.link.connect()
            try await harness.link.waitForPublishes(1)
            #expect(harness.link.traffic.value.subscriptions.map(\.filter) == [PublisherHarness.resyncTopic, PublisherHarness.replayTopic])
            #expect(harness.link.traffic.value.subscriptions.allSatisfy { $0.qos == 1 })
            harness.link.deliver(topic: PublisherHarness.replayTopic, payload: #"{"from":1,"to":2}"#)
            harness.link.deliver(topic: PublisherHarness.resyncTopic)
            harness.link.deliver(topic: PublisherHarness.replayTopic, payload: "not json")
            var requests = harness.publisher.replayRequests.makeAsyncIterator()
            #expect(await requests.next() == Array(#"{"from":1,"to":2}"#.utf8))
            #expect(await requests.next() == Array("not json".utf8))
        }
    }

    @Test func withoutAReplayTopicThereIsNoSubscription() async throws {
        try await PublisherHarness.run { harness in
            harness.link.connect()
            try await harness.link.waitForPublishes(1)
            #expect(harness.link.traffic.value.subscriptions.map(\.filter) == [PublisherHarness.resyncTopic])
        }
    }

    @Test func replayedEventsGoOutUnchangedAndAreNotMarkedInTheOutbox() async throws {
        try await PublisherHarness.run(replayTopic: PublisherHarness.replayTopic) { harness in
            harness.link.connect()
            try await harness.link.waitForPublishes(1)
            #expect(await harness.publisher.replay([Self.retained(4), Self.retained(5)]))
            let sent = try await harness.link.waitForPublishes(2, on: event(4).topic)
            #expect(sent.map(\.text) == [#"{"id":4}"#, #"{"id":5}"#])
            #expect(sent.allSatisfy { $0.qos == 1 && !$0.retain })
            // The same MQTT v5 properties as a first publication.
            #expect(sent[0].userProperties == ["schema": "flightedge.event/1", "event_id": "event-4"])
            #expect(sent[0].properties?.messageExpirySeconds == UInt32(6 * 3600))
            for publish in sent { harness.link.acknowledge(publish.messageID) }
            try await harness.link.waitUntilObserved(3)
            try await Task.sleep(for: .milliseconds(60))  // a few flushes
            #expect(harness.outbox.published.isEmpty)
            #expect(await harness.publisher.replayedAcknowledged == 2)
            #expect(await harness.publisher.isIdle)
        }
    }

    @Test func liveEventsGoFirstAndReplaysFillTheWindowAfterThem() async throws {
        try await PublisherHarness.run(maxInflight: 2, replayTopic: PublisherHarness.replayTopic) { harness in
            harness.link.connect()
            try await harness.link.waitForPublishes(1)
            await harness.commit(events(1...3))
            let replaying = Task { await harness.publisher.replay([Self.retained(100), Self.retained(101)]) }
            var sent = try await harness.link.waitForPublishes(2, on: event(1).topic)
            #expect(sent.map(\.text) == [#"{"id":1}"#, #"{"id":2}"#])
            harness.link.acknowledge(sent[0].messageID)
            harness.link.acknowledge(sent[1].messageID)
            sent = try await harness.link.waitForPublishes(4, on: event(1).topic)
            #expect(sent.map(\.text).suffix(2) == [#"{"id":3}"#, #"{"id":100}"#])
            harness.link.acknowledge(sent[2].messageID)
            sent = try await harness.link.waitForPublishes(5, on: event(1).topic)
            #expect(sent.last?.text == #"{"id":101}"#)
            // Handed over: the replay returns (the next page may be read) before the PUBACKs.
            #expect(await replaying.value)
        }
    }

    @Test func aLostConnectionSendsTheUnacknowledgedReplaysAgainAfterTheReconnect() async throws {
        try await PublisherHarness.run(replayTopic: PublisherHarness.replayTopic) { harness in
            harness.link.connect()
            try await harness.link.waitForPublishes(1)
            #expect(await harness.publisher.replay([Self.retained(7), Self.retained(8)]))
            let sent = try await harness.link.waitForPublishes(2, on: event(7).topic)
            harness.link.acknowledge(sent[0].messageID)
            harness.link.dropConnection()
            try await harness.link.waitUntilObserved(3)
            harness.link.connect()
            let again = try await harness.link.waitForPublishes(3, on: event(7).topic)
            #expect(again.map(\.text) == [#"{"id":7}"#, #"{"id":8}"#, #"{"id":8}"#])
            harness.link.acknowledge(again[2].messageID)
            try await harness.link.waitUntilObserved(5)
            #expect(await harness.publisher.replayedAcknowledged == 2)
            #expect(harness.outbox.published.isEmpty)
        }
    }

    @Test func aReplayWaitingForTheBrokerEndsWhenItsTaskIsCancelled() async throws {
        try await PublisherHarness.run(replayTopic: PublisherHarness.replayTopic) { harness in
            // Never connected: nothing can be handed over.
            let replaying = Task { await harness.publisher.replay([Self.retained(1)]) }
            try await Task.sleep(for: .milliseconds(100))
            replaying.cancel()
            #expect(await replaying.value == false)
        }
    }
}

@Suite("ReplayRequest: the cmd/replay payload")
struct ReplayRequestTests {
    static func parse(_ text: String) -> Result<ReplayRequest, ReplayRequestError> {
        Result { () throws(ReplayRequestError) in try ReplayRequest.parse(Array(text.utf8)) }
    }

    @Test func aRangeIsFromAndToInclusive() throws {
        let request = try ReplayRequest.parse(Array(#"{"from": 1200, "to": 1300, "reason": "gap"}"#.utf8))
        #expect(request == ReplayRequest(from: 1200, to: 1300))
        #expect(request.count == 101)
        #expect(try ReplayRequest.parse(Array(#"{"to":5,"from":5}"#.utf8)).range == 5...5)
        #expect(try ReplayRequest.parse(Array(#"{"from":1,"to":100000}"#.utf8)).count == 100_000)
    }

    @Test func aBadRequestNamesTheMemberAtFault() {
        let cases: [(String, String?)] = [
            ("not json", nil), ("[1,2]", nil), ("", nil),
            (#"{"to":5}"#, "from"), (#"{"from":5}"#, "to"),
            (#"{"from":"1","to":5}"#, "from"), (#"{"from":1,"to":5.5}"#, "to"),
            (#"{"from":-3,"to":5}"#, "from"), (#"{"from":0,"to":5}"#, "from"), (#"{"from":1,"to":-1}"#, "to"),
            (#"{"from":9,"to":5}"#, "from"), (#"{"from":1,"to":100001}"#, "to"),
            (#"{"from":1,"to":99999999999999999999}"#, "to"),
        ]
        for (text, field) in cases {
            guard case .failure(let error) = Self.parse(text) else {
                Issue.record("\(text) was accepted")
                continue
            }
            #expect(error.field == field, "\(text): \(error)")
            #expect(!error.reason.isEmpty)
        }
    }
}
