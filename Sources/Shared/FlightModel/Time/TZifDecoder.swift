/// Reads a compiled tz database file (TZif, RFC 8536, versions 1–4) into its transitions and
/// footer rule. Pure: bytes in, table out.
enum TZifDecoder {
    struct Table: Equatable, Sendable {
        /// Instants (seconds since the epoch, ascending) at which the offset changes.
        var transitions: [Int64]
        /// The offset east of UTC from each transition on, seconds.
        var offsets: [Int32]
        /// The offset before the first transition (the file's time type 0).
        var initialOffset: Int
        /// What holds after the last transition; nil: its offset stays.
        var rule: POSIXZoneRule?
    }

    /// What is wrong with a file, in words an operator can check against `zdump`.
    struct DecodeError: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    static func decode(_ bytes: [UInt8]) throws(DecodeError) -> Table {
        var reader = Reader(bytes: bytes)
        let first = try reader.header()
        guard first.version >= 2 else { return try reader.body(first, timeSize: 4) }
        // Version 2+ repeats the data with 64-bit times, then a footer rule: skip the 32-bit block.
        try reader.skip(first.blockLength(timeSize: 4), what: "version 1 data")
        let second = try reader.header()
        var table = try reader.body(second, timeSize: 8)
        table.rule = try reader.footer()
        return table
    }

    struct Header {
        var version: UInt8
        var utIndicators, standardIndicators, leapSeconds, transitions, types, characters: Int

        func blockLength(timeSize: Int) -> Int {
            transitions * (timeSize + 1) + types * 6 + characters + leapSeconds * (timeSize + 4)
                + standardIndicators + utIndicators
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skip(_ count: Int, what: String) throws(DecodeError) {
            guard count <= bytes.count - index else {
                throw DecodeError(description: "TZif file ends inside its \(what) (\(bytes.count) bytes)")
            }
            index += count
        }

        mutating func integer(size: Int, what: String) throws(DecodeError) -> Int64 {
            let start = index
            try skip(size, what: what)
            var value: Int64 = 0
            for byte in bytes[start..<index] { value = value << 8 | Int64(byte) }
            // Sign-extend from `size` bytes: TZif times and offsets are two's complement.
            let unused = Int64(64 - size * 8)
            return (value << unused) >> unused
        }

        mutating func header() throws(DecodeError) -> Header {
            guard bytes.count - index >= 44, bytes[index..<index + 4].elementsEqual("TZif".utf8) else {
                throw DecodeError(description: "not a TZif file (no \"TZif\" header at byte \(index))")
            }
            let versionByte = bytes[index + 4]
            let version: UInt8 = versionByte == 0 ? 1 : versionByte &- UInt8(ascii: "0")
            guard (1...9).contains(version) else {
                throw DecodeError(description: "TZif version byte \(versionByte) is not 0 or a digit")
            }
            index += 20
            var counts: [Int] = []
            for _ in 0..<6 {
                let count = try integer(size: 4, what: "header")
                guard count >= 0, count < 1 << 20 else {
                    throw DecodeError(description: "TZif header count \(count) is out of range")
                }
                counts.append(Int(count))
            }
            let header = Header(
                version: version, utIndicators: counts[0], standardIndicators: counts[1], leapSeconds: counts[2],
                transitions: counts[3], types: counts[4], characters: counts[5])
            guard header.types >= 1 else { throw DecodeError(description: "TZif file has no local time types") }
            return header
        }

        mutating func body(_ header: Header, timeSize: Int) throws(DecodeError) -> Table {
            var transitions: [Int64] = []
            transitions.reserveCapacity(header.transitions)
            for _ in 0..<header.transitions {
                let time = try integer(size: timeSize, what: "transition times")
                guard transitions.last.map({ $0 < time }) ?? true else {
                    throw DecodeError(description: "TZif transition \(transitions.count) is not after the one before")
                }
                transitions.append(time)
            }
            let typeStart = index
            try skip(header.transitions, what: "transition types")
            var typeOffsets: [Int32] = []
            for _ in 0..<header.types {
                let offset = try integer(size: 4, what: "local time types")
                guard abs(offset) <= 26 * 3600 else {
                    throw DecodeError(description: "TZif local time type \(typeOffsets.count) has offset \(offset) s")
                }
                typeOffsets.append(Int32(offset))
                try skip(2, what: "local time types")
            }
            var offsets: [Int32] = []
            offsets.reserveCapacity(header.transitions)
            for type in bytes[typeStart..<typeStart + header.transitions] {
                guard Int(type) < typeOffsets.count else {
                    throw DecodeError(description: "TZif transition \(offsets.count) names type \(type) of \(typeOffsets.count)")
                }
                offsets.append(typeOffsets[Int(type)])
            }
            try skip(
                header.characters + header.leapSeconds * (timeSize + 4) + header.standardIndicators + header.utIndicators,
                what: "designations and indicators")
            return Table(transitions: transitions, offsets: offsets, initialOffset: Int(typeOffsets[0]), rule: nil)
        }

        /// `\n` rule `\n`; an empty rule means none.
        mutating func footer() throws(DecodeError) -> POSIXZoneRule? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\n"),
                let end = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "\n"))
            else { throw DecodeError(description: "TZif footer is not a line after the data") }
            let text = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            index = end + 1
            if text.isEmpty { return nil }
            guard let rule = POSIXZoneRule(Substring(text)) else {
                throw DecodeError(description: "TZif footer \"\(text)\" is not a POSIX TZ rule")
            }
            return rule
        }
    }
}
