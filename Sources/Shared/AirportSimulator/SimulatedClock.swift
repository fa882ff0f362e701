import FlightModel

/// UTC calendar helpers for the simulator, on FlightModel's own date arithmetic.
enum SimulatedClock {
    /// `yyyy-MM-dd` of a UTC instant given in seconds.
    static func dateString(_ seconds: Int64) -> String {
        Timestamp(millisecondsSinceEpoch: seconds * 1000).dateString
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` of a UTC instant given in seconds.
    static func iso8601(_ seconds: Int64) -> String {
        Timestamp(millisecondsSinceEpoch: seconds * 1000).iso8601
    }

    /// Seconds since 1970 of midnight UTC on `yyyy-MM-dd`.
    static func midnight(_ date: String) -> Int64? {
        FlightDate(date).map { $0.midnightUTC.millisecondsSinceEpoch / 1000 }
    }
}
