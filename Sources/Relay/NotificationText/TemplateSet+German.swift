import NotificationRules

extension TemplateSet {
    /// German (`de`, `de-CH`, `de-AT`, ...).
    static let german = TemplateSet(
        headlines: [
            .gateChange:
                "{{flight}}{{#route}} {{route}}{{/route}}: {{#oldGate}}Gatewechsel von {{oldGate}} zu {{gate}}{{/oldGate}}{{^oldGate}}Ihr Gate ist {{gate}}{{/oldGate}}{{#terminal}} (Terminal {{terminal}}){{/terminal}}.",
            .terminalChange:
                "{{flight}}{{#route}} {{route}}{{/route}}: Terminalwechsel{{#oldTerminal}} von {{oldTerminal}}{{/oldTerminal}} zu Terminal {{terminal}}{{#gate}}, Gate {{gate}}{{/gate}}.",
            .delay:
                "{{flight}}{{#route}} {{route}}{{/route}} hat {{delayMinutes}} Min. Verspätung{{#estimatedTime}}, neue {{#isDeparture}}Abflugzeit{{/isDeparture}}{{^isDeparture}}Ankunftszeit{{/isDeparture}} {{estimatedTime}}{{/estimatedTime}}.",
            .backOnTime:
                "{{flight}}{{#route}} {{route}}{{/route}} ist wieder pünktlich{{#expectedTime}}: {{#isDeparture}}Abflug{{/isDeparture}}{{^isDeparture}}Ankunft{{/isDeparture}} {{expectedTime}}{{/expectedTime}}.",
            .cancellation: "{{flight}}{{#route}} {{route}}{{/route}} am {{date}} ist ANNULLIERT.",
            .reinstatement:
                "{{flight}}{{#route}} {{route}}{{/route}} am {{date}} ist nicht mehr annulliert und findet statt.",
            .diversion:
                "{{flight}}{{#route}} {{route}}{{/route}} wurde umgeleitet{{#divertedTo}} nach {{divertedTo}}{{/divertedTo}}.",
            .boarding: "{{flight}}: Boarding jetzt{{#gate}} an Gate {{gate}}{{/gate}}.",
            .gateClosed: "{{flight}}: Das Gate{{#gate}} ({{gate}}){{/gate}} ist geschlossen.",
            .departure: "{{flight}} ist abgeflogen{{#actualTime}}, um {{actualTime}}{{/actualTime}}.",
            .arrival: "{{flight}} ist angekommen{{#actualTime}}, um {{actualTime}}{{/actualTime}}.",
            .beltChange: "{{flight}}: Ihr Gepäck kommt auf Band {{belt}}{{#oldBelt}} (nicht {{oldBelt}}){{/oldBelt}}.",
        ],
        titles: [
            .gateChange: "Gatewechsel", .terminalChange: "Terminalwechsel", .delay: "Verspätung",
            .backOnTime: "wieder pünktlich", .cancellation: "annulliert", .reinstatement: "findet statt",
            .diversion: "umgeleitet", .boarding: "Boarding", .gateClosed: "Gate geschlossen", .departure: "abgeflogen",
            .arrival: "angekommen", .beltChange: "Gepäckband",
        ],
        subject: "{{flight}}, {{date}}: {{title}}",
        text: """
            {{headline}}
            {{#remark}}
            Hinweis: {{remark}}
            {{/remark}}
            {{#scheduledTime}}
            Planmäßig: {{scheduledTime}}{{#estimatedTime}}, erwartet: {{estimatedTime}}{{/estimatedTime}}
            {{/scheduledTime}}
            {{#manageURL}}

            Ihre Benachrichtigungen: {{manageURL}}
            {{/manageURL}}
            {{#unsubscribeURL}}
            Abmelden: {{unsubscribeURL}}
            {{/unsubscribeURL}}
            """,
        html: """
            <!DOCTYPE html>
            <html lang="de"><head><meta charset="utf-8"><title>{{subject}}</title></head><body>
            <p><strong>{{headline}}</strong></p>
            {{#remark}}
            <p>Hinweis: {{remark}}</p>
            {{/remark}}
            {{#scheduledTime}}
            <p>Planmäßig: {{scheduledTime}}{{#estimatedTime}}, erwartet: {{estimatedTime}}{{/estimatedTime}}</p>
            {{/scheduledTime}}
            {{#manageURL}}
            <p><a href="{{manageURL}}">Ihre Benachrichtigungen</a></p>
            {{/manageURL}}
            {{#unsubscribeURL}}
            <p><a href="{{unsubscribeURL}}">Abmelden</a></p>
            {{/unsubscribeURL}}
            </body></html>
            """,
        digestSubject: "{{count}} Flug-Neuigkeiten",
        digestText: """
            {{count}} Flug-Neuigkeiten:
            {{#items}}
            - {{headline}}
            {{/items}}
            {{#manageURL}}

            Ihre Benachrichtigungen: {{manageURL}}
            {{/manageURL}}
            {{#unsubscribeURL}}
            Abmelden: {{unsubscribeURL}}
            {{/unsubscribeURL}}
            """,
        digestHTML: """
            <!DOCTYPE html>
            <html lang="de"><head><meta charset="utf-8"><title>{{subject}}</title></head><body>
            <p><strong>{{count}} Flug-Neuigkeiten</strong></p>
            <ul>
            {{#items}}
            <li>{{headline}}{{#remark}} ({{remark}}){{/remark}}</li>
            {{/items}}
            </ul>
            {{#manageURL}}
            <p><a href="{{manageURL}}">Ihre Benachrichtigungen</a></p>
            {{/manageURL}}
            {{#unsubscribeURL}}
            <p><a href="{{unsubscribeURL}}">Abmelden</a></p>
            {{/unsubscribeURL}}
            </body></html>
            """,
        confirmationSubject: "Bestätigen Sie Ihr Abonnement für {{flight}}",
        confirmationText: """
            Bestätigen Sie Ihr Abonnement für Neuigkeiten zu {{flight}} am {{date}}: {{confirmURL}}

            Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Sie erhalten nichts weiter.
            """,
        confirmationHTML: """
            <!DOCTYPE html>
            <html lang="de"><head><meta charset="utf-8"><title>{{subject}}</title></head><body>
            <p>Bestätigen Sie Ihr Abonnement für Neuigkeiten zu {{flight}} am {{date}}:</p>
            <p><a href="{{confirmURL}}">Abonnement bestätigen</a></p>
            <p>Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Sie erhalten nichts weiter.</p>
            </body></html>
            """
    )
}
