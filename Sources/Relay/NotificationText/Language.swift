/// The languages the texts exist in; any other locale reads English.
public enum Language: String, Sendable, Hashable, CaseIterable {
    case en
    case de

    /// The language of a BCP 47 locale (`de`, `de-CH`, `de_AT`); English for anything unknown.
    public init(locale: String) {
        let primary = locale.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        self = Language(rawValue: primary) ?? .en
    }

    /// This language's texts.
    var templates: TemplateSet {
        switch self {
        case .en: .english
        case .de: .german
        }
    }
}
