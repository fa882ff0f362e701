/// Retained-state topics waiting to be sent, in first-queued order, taken from the front
/// without moving the rest. An array's `removeFirst()` moved every waiting topic for each
/// message sent: with a batch's 1,300 states queued at once, 2.6 % of the daemon's
/// instructions in the 5,500-flight burst went to that `memmove` (callgrind, docs/PERFORMANCE.md).
struct TopicQueue {
    private var topics: [String] = []
    /// Index of the first waiting topic; those before it were taken.
    private var head = 0

    var count: Int { topics.count - head }
    var isEmpty: Bool { head == topics.count }

    mutating func append(_ topic: String) { topics.append(topic) }

    /// Puts a topic back in front (a send that failed), in the slot it was taken from.
    mutating func pushFront(_ topic: String) {
        if head > 0 {
            head -= 1
            topics[head] = topic
        } else {
            topics.insert(topic, at: 0)
        }
    }

    mutating func popFirst() -> String? {
        guard head < topics.count else { return nil }
        let topic = topics[head]
        head += 1
        if head == topics.count {
            topics.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096 && head * 2 >= topics.count {
            // Taken topics are let go in one move once they are the larger part.
            topics.removeFirst(head)
            head = 0
        }
        return topic
    }

    mutating func removeAll(where shouldRemove: (String) -> Bool) {
        topics.removeFirst(head)
        head = 0
        topics.removeAll(where: shouldRemove)
    }
}
