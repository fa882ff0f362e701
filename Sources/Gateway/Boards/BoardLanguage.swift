/// A language a board can speak. A board configured with several alternates between them
/// (`[boards] languages`); every text a screen shows exists in each.
public enum BoardLanguage: String, CaseIterable, Sendable, Hashable {
    case en, de, fr, it

    /// The words of one screen text: headings and status words.
    public func word(_ text: BoardText) -> String {
        let words: (en: String, de: String, fr: String, it: String) =
            switch text {
            case .departures: ("Departures", "Abflug", "Départs", "Partenze")
            case .arrivals: ("Arrivals", "Ankunft", "Arrivées", "Arrivi")
            case .gate: ("Gate", "Gate", "Porte", "Uscita")
            case .belt: ("Baggage belt", "Gepäckband", "Tapis bagages", "Nastro bagagli")
            case .time: ("Time", "Zeit", "Heure", "Ora")
            case .expected: ("Expected", "Erwartet", "Prévu", "Previsto")
            case .flight: ("Flight", "Flug", "Vol", "Volo")
            case .destination: ("Destination", "Ziel", "Destination", "Destinazione")
            case .origin: ("From", "Von", "Provenance", "Provenienza")
            case .remarks: ("Remarks", "Bemerkungen", "Remarques", "Note")
            case .next: ("Next", "Nächste", "Suivants", "Prossimi")
            case .noFlights: ("No flights", "Keine Flüge", "Aucun vol", "Nessun volo")
            case .offline: ("Offline: data as of", "Offline: Stand", "Hors ligne: données de", "Offline: dati delle")
            case .stale: ("Feed late: data as of", "Verzögert: Stand", "En retard: données de", "In ritardo: dati delle")
            case .status(let status):
                switch status {
                case .onTime: ("On time", "Planmäßig", "À l'heure", "In orario")
                case .delayed: ("Delayed", "Verspätet", "Retardé", "In ritardo")
                case .checkIn: ("Check-in", "Check-in", "Enregistrement", "Check-in")
                case .gateOpen: ("Gate open", "Gate offen", "Porte ouverte", "Uscita aperta")
                case .boarding: ("Boarding", "Einsteigen", "Embarquement", "Imbarco")
                case .finalCall: ("Final call", "Letzter Aufruf", "Dernier appel", "Ultima chiamata")
                case .gateClosed: ("Gate closed", "Gate geschlossen", "Porte fermée", "Uscita chiusa")
                case .departed: ("Departed", "Gestartet", "Parti", "Partito")
                case .landed: ("Landed", "Gelandet", "Atterri", "Atterrato")
                case .arrived: ("Arrived", "Angekommen", "Arrivé", "Arrivato")
                case .cancelled: ("Cancelled", "Annulliert", "Annulé", "Cancellato")
                case .diverted: ("Diverted", "Umgeleitet", "Dérouté", "Dirottato")
                case .notOperating: ("Not operating", "Findet nicht statt", "Non opéré", "Non operativo")
                }
            }
        switch self {
        case .en: return words.en
        case .de: return words.de
        case .fr: return words.fr
        case .it: return words.it
        }
    }
}

/// A text on a board screen, in words by ``BoardLanguage/word(_:)``.
public enum BoardText: Sendable, Hashable {
    case departures, arrivals, gate, belt, time, expected, flight, destination, origin, remarks, next, noFlights
    /// The start of the banner shown while the screen is cut off: "Offline: data as of 14:05".
    case offline
    /// The same while the stream is live but a feed is silent past its `stale_after`.
    case stale
    case status(BoardStatus)
}
