import Mustache
import NotificationRules

/// One language's templates, parsed once.
struct CompiledTemplates: Sendable {
    private let headlines: [Notice: MustacheTemplate]
    private let fallbackHeadline: MustacheTemplate
    let titles: [Notice: String]
    let subject: MustacheTemplate
    let text: MustacheTemplate
    let html: MustacheTemplate
    let digestSubject: MustacheTemplate
    let digestText: MustacheTemplate
    let digestHTML: MustacheTemplate
    let confirmationSubject: MustacheTemplate
    let confirmationText: MustacheTemplate
    let confirmationHTML: MustacheTemplate

    /// Every language's templates. They are literals of this module: one that does not parse is
    /// a programming error, which the tests render every template to catch.
    static let all: [Language: CompiledTemplates] = {
        var result: [Language: CompiledTemplates] = [:]
        for language in Language.allCases {
            do {
                result[language] = try CompiledTemplates(language.templates)
            } catch {
                preconditionFailure("the \(language.rawValue) notification templates do not parse: \(error)")
            }
        }
        return result
    }()

    init(_ set: TemplateSet) throws {
        var headlines: [Notice: MustacheTemplate] = [:]
        for notice in Notice.allCases {
            headlines[notice] = try Self.text(set.headlines[notice] ?? "{{flight}}: {{title}}")
        }
        self.headlines = headlines
        fallbackHeadline = try Self.text("{{flight}}: {{title}}")
        self.titles = set.titles
        subject = try Self.text(set.subject)
        text = try Self.text(set.text)
        html = try MustacheTemplate(string: set.html)
        digestSubject = try Self.text(set.digestSubject)
        digestText = try Self.text(set.digestText)
        digestHTML = try MustacheTemplate(string: set.digestHTML)
        confirmationSubject = try Self.text(set.confirmationSubject)
        confirmationText = try Self.text(set.confirmationText)
        confirmationHTML = try MustacheTemplate(string: set.confirmationHTML)
    }

    /// The one-line summary of `notice`.
    func headline(_ notice: Notice) -> MustacheTemplate { headlines[notice] ?? fallbackHeadline }

    /// English, parsed on its own: what every unknown language falls back to.
    static let english: CompiledTemplates =
        all[.en]
        ?? {
            preconditionFailure("the English notification templates are missing")
        }()

    /// A template for plain text: values are not HTML-escaped.
    private static func text(_ source: String) throws -> MustacheTemplate {
        try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + source)
    }
}
