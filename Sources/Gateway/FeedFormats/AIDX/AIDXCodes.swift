import FlightModel

/// The AIDX code lists FlightEdge maps (docs/DESIGN.md §9): which `OperationTime` qualifier
/// and time type is which field, and which status codes mean which normalized status. Unknown
/// codes are kept as the raw status, never an error.
enum AIDXCodes {
    /// A time field of a departure or arrival, by `OperationQualifier` and `TimeType`.
    static func field(qualifier: String, timeType: String, direction: Direction) -> FlightField? {
        switch (direction, qualifier, timeType) {
        case (.departure, "OFB", "SCT"), (.departure, "SCD", _): .scheduled
        case (.departure, "OFB", "EST"), (.departure, "ED", _), (.departure, "EO", _): .estimated
        case (.departure, "OFB", "ACT"), (.departure, "AD", _): .actual
        case (.departure, "TKO", "EST"): .runwayEstimated
        case (.departure, "TKO", "ACT"): .runwayActual
        case (.arrival, "ONB", "SCT"), (.arrival, "SCA", _): .scheduled
        case (.arrival, "ONB", "EST"), (.arrival, "EB", _): .estimated
        case (.arrival, "ONB", "ACT"), (.arrival, "OB", _): .actual
        case (.arrival, "TDN", "EST"), (.arrival, "EA", _): .runwayEstimated
        case (.arrival, "TDN", "ACT"): .runwayActual
        default: nil
        }
    }

    /// The A-CDM target or calculated time that stands in for an estimate the leg lacks
    /// (TOBT for the off-block estimate, ELDT/EIBT already EST).
    static func fallbackEstimate(qualifier: String, timeType: String, direction: Direction) -> FlightField? {
        switch (direction, qualifier, timeType) {
        case (.departure, "OFB", "TAR"): .estimated
        case (.departure, "TKO", "CAL"), (.departure, "TKO", "TAR"): .runwayEstimated
        case (.arrival, "TDN", "CAL"), (.arrival, "TDN", "TAR"): .runwayEstimated
        case (.arrival, "ONB", "TAR"), (.arrival, "ONB", "CAL"): .estimated
        default: nil
        }
    }

    /// What an actual milestone time says about the flight's progress: its rank (see
    /// ``rank(_:)``) and the status it shows. Check-in closed (CHC) outranks check-in but has no
    /// status of its own: the raw status says it.
    static func milestone(qualifier: String, direction: Direction) -> (rank: Int, status: FlightStatus?)? {
        switch (direction, qualifier) {
        case (.departure, "CHC"): (15, nil)
        default: milestoneStatus(qualifier: qualifier, direction: direction).map { (rank($0), $0) }
        }
    }

    private static func milestoneStatus(qualifier: String, direction: Direction) -> FlightStatus? {
        switch (direction, qualifier) {
        case (.departure, "CHK"): .checkIn
        case (.departure, "GTO"): .gateOpen
        case (.departure, "BST"), (.departure, "ABD"): .boarding
        case (.departure, "FCT"): .finalCall
        case (.departure, "BEN"), (.departure, "GCL"): .gateClosed
        case (.departure, "OFB"): .departed
        case (.departure, "TKO"): .airborne
        case (.arrival, "TDN"): .landed
        case (.arrival, "ONB"): .arrived
        default: nil
        }
    }

    /// `OperationalStatus` codes that decide the status outright, strongest first.
    static func operational(_ code: String) -> FlightStatus? {
        switch code {
        case "DX", "CNL", "CX": .cancelled
        case "DV": .diverted
        case "NOP": .notOperating
        case "SQ": .scheduled  // reinstated
        case "LAN": .landed
        case "ONB": .arrived
        case "OFB": .departed
        case "TKO", "AIR": .airborne
        case "DEL": .delayed
        case "BST": .boarding
        case "GCL": .gateClosed
        default: nil
        }
    }

    /// Display codes (`RemarkTextCode`), for the leg's direction: an arrival never boards here
    /// and a departure never lands here.
    static func remark(_ code: String, direction: Direction) -> FlightStatus? {
        guard let status = remark(code) else { return nil }
        switch (direction, status) {
        case (.arrival, .checkIn), (.arrival, .gateOpen), (.arrival, .boarding), (.arrival, .finalCall),
            (.arrival, .gateClosed), (.departure, .landed), (.departure, .arrived):
            return nil
        default:
            return status
        }
    }

    private static func remark(_ code: String) -> FlightStatus? {
        switch code {
        case "BST", "BOA": .boarding
        case "BEN", "GCL": .gateClosed
        case "FCL", "FCT": .finalCall
        case "GTO": .gateOpen
        case "CHK": .checkIn
        case "OFB", "DEP": .departed
        case "AIR", "TKO": .airborne
        case "LAN", "LND": .landed
        case "ONB", "ARR": .arrived
        case "DEL": .delayed
        case "SCT": .scheduled
        case "CNL", "CANCEL", "DX": .cancelled
        default: nil
        }
    }

    /// How far along a flight is: a later milestone outranks an earlier one in one message, and
    /// the end of a flight (cancelled, diverted…) outranks every milestone.
    static func rank(_ status: FlightStatus) -> Int {
        switch status {
        case .scheduled, .delayed, .unknown: 0
        case .checkIn: 10
        case .gateOpen: 20
        case .boarding: 30
        case .finalCall: 40
        case .gateClosed: 50
        case .departed: 60
        case .airborne: 70
        case .landed: 80
        case .arrived: 90
        case .cancelled, .diverted, .notOperating, .deleted: 100
        }
    }

    /// Qualifiers and codes that only a departure or only an arrival carries, for telling the
    /// direction when no airport is configured.
    static let departureOnly: Set<String> = ["OFB", "TKO", "CHK", "CHC", "GTO", "BST", "FCT", "BEN", "GCL", "ABD", "RDT", "SRT", "SAT", "DIC", "DIE"]
    static let arrivalOnly: Set<String> = ["TDN", "ONB", "FBG", "LBG", "LAN"]
}
