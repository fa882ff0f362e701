public import FlightModel

/// Applies one recipient's ``RecipientBudget`` to the deliveries that fall due for it at once:
/// which leave now, which wait for the next token, and which fold into one digest.
///
/// The rules, in due order:
/// * A retry, or a claim taken over from a dead instance, paid its token on its first attempt: it goes.
/// * Urgent notifications (cancellation, diversion, reinstatement) bypass the limit: they go at
///   once even from an empty bucket, and take a token when there is one (so they count).
/// * With nothing held, each other notification takes a token and goes; once the bucket is empty,
///   the rest wait until ``RecipientBudget/nextTokenAt``.
/// * With notifications held: when a token is there, the held ones and everything else due now
///   take that one token together as a digest (a single one goes as itself); otherwise all wait.
public enum RecipientGate {
    /// A delivery due for the recipient.
    public struct Candidate: Sendable, Hashable {
        public var id: Int64
        public var urgent: Bool
        /// Waiting for a token already (it found the bucket empty before).
        public var held: Bool
        /// Never attempted yet: it has not paid a token.
        public var firstAttempt: Bool

        public init(id: Int64, urgent: Bool, held: Bool, firstAttempt: Bool) {
            self.id = id
            self.urgent = urgent
            self.held = held
            self.firstAttempt = firstAttempt
        }
    }

    /// What happens to one candidate.
    public enum Verdict: Sendable, Hashable {
        /// Leaves now, as itself.
        case send
        /// Waits for a token: due again at this instant.
        case hold(until: Timestamp)
        /// Folds into the recipient's one digest, which leaves now.
        case digest
    }

    /// Verdicts for `candidates` (in due order), taking tokens from `budget` at `now`.
    public static func decide(
        _ candidates: [Candidate], budget: inout RecipientBudget, now: Timestamp
    ) -> [Int64: Verdict] {
        var verdicts: [Int64: Verdict] = [:]
        var limited: [Candidate] = []
        for candidate in candidates {
            if !candidate.firstAttempt {
                verdicts[candidate.id] = .send
            } else if candidate.urgent {
                _ = budget.take(now: now)
                verdicts[candidate.id] = .send
            } else {
                limited.append(candidate)
            }
        }
        guard !limited.isEmpty else { return verdicts }

        if limited.contains(where: \.held) {
            if budget.take(now: now) {
                let verdict: Verdict = limited.count == 1 ? .send : .digest
                for candidate in limited { verdicts[candidate.id] = verdict }
            } else {
                for candidate in limited { verdicts[candidate.id] = .hold(until: budget.nextTokenAt) }
            }
            return verdicts
        }
        for candidate in limited {
            verdicts[candidate.id] = budget.take(now: now) ? .send : .hold(until: budget.nextTokenAt)
        }
        return verdicts
    }
}
