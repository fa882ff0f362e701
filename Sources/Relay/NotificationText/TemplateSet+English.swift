import NotificationRules

extension TemplateSet {
    /// English, also for every locale without texts of its own.
    static let english = TemplateSet(
        headlines: [
            .gateChange:
                "{{flight}}{{#route}} {{route}}{{/route}}: {{#oldGate}}gate changed from {{oldGate}} to {{gate}}{{/oldGate}}{{^oldGate}}your gate is {{gate}}{{/oldGate}}{{#terminal}} (terminal {{terminal}}){{/terminal}}.",
            .terminalChange:
                "{{flight}}{{#route}} {{route}}{{/route}}: terminal changed{{#oldTerminal}} from {{oldTerminal}}{{/oldTerminal}} to {{terminal}}{{#gate}}, gate {{gate}}{{/gate}}.",
            .delay:
                "{{flight}}{{#route}} {{route}}{{/route}} is delayed by {{delayMinutes}} min{{#estimatedTime}}, now {{#isDeparture}}departing{{/isDeparture}}{{^isDeparture}}arriving{{/isDeparture}} {{estimatedTime}}{{/estimatedTime}}.",
            .backOnTime:
                "{{flight}}{{#route}} {{route}}{{/route}} is back on time{{#expectedTime}}: {{#isDeparture}}departure{{/isDeparture}}{{^isDeparture}}arrival{{/isDeparture}} {{expectedTime}}{{/expectedTime}}.",
            .cancellation: "{{flight}}{{#route}} {{route}}{{/route}} on {{date}} is CANCELLED.",
            .reinstatement:
                "{{flight}}{{#route}} {{route}}{{/route}} on {{date}} is no longer cancelled and will operate.",
            .diversion:
                "{{flight}}{{#route}} {{route}}{{/route}} has been diverted{{#divertedTo}} to {{divertedTo}}{{/divertedTo}}.",
            .boarding: "{{flight}}: boarding now{{#gate}} at gate {{gate}}{{/gate}}.",
            .gateClosed: "{{flight}}: the gate{{#gate}} ({{gate}}){{/gate}} is closed.",
            .departure: "{{flight}} has departed{{#actualTime}} at {{actualTime}}{{/actualTime}}.",
            .arrival: "{{flight}} has arrived{{#actualTime}} at {{actualTime}}{{/actualTime}}.",
            .beltChange: "{{flight}}: your baggage comes on belt {{belt}}{{#oldBelt}} (not {{oldBelt}}){{/oldBelt}}.",
        ],
        titles: [
            .gateChange: "gate change", .terminalChange: "terminal change", .delay: "delay",
            .backOnTime: "back on time", .cancellation: "cancelled", .reinstatement: "operating again",
            .diversion: "diverted", .boarding: "boarding", .gateClosed: "gate closed", .departure: "departed",
            .arrival: "arrived", .beltChange: "baggage belt",
        ],
        subject: "{{flight}}, {{date}}: {{title}}",
        text: """
            {{headline}}
            {{#remark}}
            Remark: {{remark}}
            {{/remark}}
            {{#scheduledTime}}
            Scheduled: {{scheduledTime}}{{#estimatedTime}}, expected: {{estimatedTime}}{{/estimatedTime}}
            {{/scheduledTime}}
            {{#manageURL}}

            Your notifications: {{manageURL}}
            {{/manageURL}}
            {{#unsubscribeURL}}
            Unsubscribe: {{unsubscribeURL}}
            {{/unsubscribeURL}}
            """,
        html: """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{subject}}</title></head><body>
            <p><strong>{{headline}}</strong></p>
            {{#remark}}
            <p>Remark: {{remark}}</p>
            {{/remark}}
            {{#scheduledTime}}
            <p>Scheduled: {{scheduledTime}}{{#estimatedTime}}, expected: {{estimatedTime}}{{/estimatedTime}}</p>
            {{/scheduledTime}}
            {{#manageURL}}
            <p><a href="{{manageURL}}">Your notifications</a></p>
            {{/manageURL}}
            {{#unsubscribeURL}}
            <p><a href="{{unsubscribeURL}}">Unsubscribe</a></p>
            {{/unsubscribeURL}}
            </body></html>
            """,
        digestSubject: "{{count}} flight updates",
        digestText: """
            {{count}} flight updates:
            {{#items}}
            - {{headline}}
            {{/items}}
            {{#manageURL}}

            Your notifications: {{manageURL}}
            {{/manageURL}}
            {{#unsubscribeURL}}
            Unsubscribe: {{unsubscribeURL}}
            {{/unsubscribeURL}}
            """,
        digestHTML: """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{subject}}</title></head><body>
            <p><strong>{{count}} flight updates</strong></p>
            <ul>
            {{#items}}
            <li>{{headline}}{{#remark}} ({{remark}}){{/remark}}</li>
            {{/items}}
            </ul>
            {{#manageURL}}
            <p><a href="{{manageURL}}">Your notifications</a></p>
            {{/manageURL}}
            {{#unsubscribeURL}}
            <p><a href="{{unsubscribeURL}}">Unsubscribe</a></p>
            {{/unsubscribeURL}}
            </body></html>
            """,
        confirmationSubject: "Confirm your subscription to {{flight}}",
        confirmationText: """
            Confirm your subscription to updates for {{flight}} on {{date}}: {{confirmURL}}

            If you did not ask for this, ignore this message: nothing will be sent.
            """,
        confirmationHTML: """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{subject}}</title></head><body>
            <p>Confirm your subscription to updates for {{flight}} on {{date}}:</p>
            <p><a href="{{confirmURL}}">Confirm your subscription</a></p>
            <p>If you did not ask for this, ignore this message: nothing will be sent.</p>
            </body></html>
            """
    )
}
