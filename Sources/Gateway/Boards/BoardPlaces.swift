/// City names for the airport codes the feeds give; an unknown code is shown as it is.
enum BoardPlaces {
    static func name(of code: String) -> String { names[code] ?? code }

    private static let names: [String: String] = [
        "AMS": "Amsterdam", "ATH": "Athens", "BCN": "Barcelona", "BER": "Berlin", "BKK": "Bangkok", "BRU": "Brussels",
        "CDG": "Paris CDG", "CPH": "Copenhagen", "DOH": "Doha", "DUB": "Dublin", "DXB": "Dubai", "EWR": "Newark",
        "FCO": "Rome", "FRA": "Frankfurt", "GVA": "Geneva", "HAM": "Hamburg", "HEL": "Helsinki", "IST": "Istanbul",
        "JFK": "New York JFK", "LCY": "London City", "LGW": "London Gatwick", "LHR": "London Heathrow",
        "LIS": "Lisbon", "MAD": "Madrid", "MUC": "Munich", "MXP": "Milan", "NCE": "Nice", "ORD": "Chicago",
        "ORY": "Paris Orly", "OSL": "Oslo", "PMI": "Palma", "PRG": "Prague", "SIN": "Singapore", "VIE": "Vienna",
        "WAW": "Warsaw", "YUL": "Montreal", "ZRH": "Zurich", "BSL": "Basel", "LUX": "Luxembourg", "STR": "Stuttgart",
    ]
}
