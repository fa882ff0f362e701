import Configuration

/// The smallest valid configuration: nine lines, so a block appended with ``minimal(plus:)``
/// starts on line 10.
let minimalConfiguration = """
    [airport]
    iata = "ZRH"
    timezone = "Europe/Zurich"

    [database]
    url = "postgresql:///flightedge"

    [mqtt]
    host = "127.0.0.1"
    """

/// The minimal configuration followed by `block`, whose first line becomes line 10.
func minimal(plus block: String) -> String {
    minimalConfiguration + "\n" + block
}

/// The error descriptions for `text` (named `test.toml`), or an empty list when it is valid.
func problems(_ text: String) -> [String] {
    do {
        _ = try GatewayConfig.parse(text, source: "test.toml")
        return []
    } catch {
        return error.errors.map(\.description)
    }
}
