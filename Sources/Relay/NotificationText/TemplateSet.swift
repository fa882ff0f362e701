import NotificationRules

/// One language's templates, as Mustache source. Text templates render without escaping (the
/// renderer marks them `TEXT`); HTML templates escape every `{{value}}`, and take the headline as
/// a value too, so nothing from a feed reaches the HTML unescaped.
///
/// Values: `flight` (`LX 1234`), `route` (`ZRH–LHR`), `date`, `origin`, `destination`, `gate`,
/// `oldGate`, `terminal`, `oldTerminal`, `delayMinutes`, `estimatedTime`, `expectedTime`,
/// `scheduledTime`, `actualTime`, `belt`, `oldBelt`, `divertedTo`, `remark`, `isDeparture`,
/// `title`, `headline`, `manageURL`, `unsubscribeURL`; digests: `count`, `items` (each with
/// `headline`, `remark`); confirmation: `confirmURL`.
struct TemplateSet: Sendable {
    /// The one-line summary per notice: the SMS, the push body, the first line of the e-mail.
    var headlines: [Notice: String]
    /// A short name per notice, for the subject.
    var titles: [Notice: String]
    var subject: String
    var text: String
    var html: String
    var digestSubject: String
    var digestText: String
    var digestHTML: String
    var confirmationSubject: String
    var confirmationText: String
    var confirmationHTML: String
}
