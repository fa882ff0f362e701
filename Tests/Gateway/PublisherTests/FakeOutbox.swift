import Publisher

/// The outbox table without PostgreSQL: the events committed, and the ids marked published.
final class FakeOutbox: OutboxStore {
    struct Contents: Sendable {
        /// Committed events, in id order.
        var rows: [OutgoingMessage] = []
        /// Ids in the order `markPublished` received them.
        var published: [Int64] = []
        /// Backlog reads so far.
        var reads = 0
        /// How long each `markPublished` takes, as a busy PostgreSQL would.
        var markDelay: Duration = .zero
    }

    let contents = Recorded(Contents())

    /// Commits events, as the pipeline does before it hands them to the publisher.
    func commit(_ events: [OutgoingMessage]) {
        contents.update { $0.rows += events }
    }

    var published: [Int64] { contents.value.published }

    func markPublished(_ ids: [Int64]) async throws {
        let delay = contents.value.markDelay
        if delay > .zero { try await Task.sleep(for: delay) }
        contents.update { $0.published += ids }
    }

    func unpublished(after id: Int64, limit: Int) async throws -> [OutgoingMessage] {
        contents.update { contents in
            contents.reads += 1
            let published = Set(contents.published)
            return Array(
                contents.rows.filter { ($0.outboxID ?? 0) > id && !published.contains($0.outboxID ?? 0) }.prefix(limit))
        }
    }

    /// Waits until every id of `ids` is marked published.
    @discardableResult
    func waitUntilPublished(_ ids: some Sequence<Int64>, within timeout: Duration = .seconds(5)) async throws -> [Int64] {
        let wanted = Set(ids)
        return try await contents.wait(for: "outbox rows \(wanted.sorted()) marked published", within: timeout) {
            wanted.isSubset(of: $0.published)
        }.published
    }
}
