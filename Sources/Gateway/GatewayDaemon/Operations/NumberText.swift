/// Numbers as `/healthz` writes them: integers without a fraction, others as Swift prints a
/// `Double` (`0.25`, `1e-05`): the shortest text that reads back as the same value.
enum NumberText {
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
