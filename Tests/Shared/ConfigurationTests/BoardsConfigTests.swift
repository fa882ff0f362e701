import Configuration
import Testing

@Suite struct BoardsConfigTests {
    @Test func boardsSpeakEnglishUnlessConfigured() throws {
        let config = try GatewayConfig.parse(minimalConfiguration, source: "test.toml")
        #expect(config.boards.languages == ["en"])
    }

    @Test func languagesAreReadInOrder() throws {
        let config = try GatewayConfig.parse(minimal(plus: "[boards]\nlanguages = [\"de\", \"en\", \"fr\"]"), source: "test.toml")
        #expect(config.boards.languages == ["de", "en", "fr"])
    }

    @Test func unknownRepeatedOrMissingLanguagesNameTheElementAndLine() {
        #expect(
            problems(minimal(plus: "[boards]\nlanguages = [\"en\", \"xx\", \"en\", 3]")) == [
                "test.toml:11: boards.languages[1]: unknown language \"xx\" (expected one of: en, de, fr, it)",
                "test.toml:11: boards.languages[2]: \"en\" is listed twice",
                "test.toml:11: boards.languages[3]: expected a string, found an integer",
            ])
        #expect(
            problems(minimal(plus: "[boards]\nlanguages = []")) == [
                "test.toml:11: boards.languages: must name at least one language, e.g. [\"en\"]"
            ])
        #expect(
            problems(minimal(plus: "[boards]\nlanguages = \"en\"")) == [
                "test.toml:11: boards.languages: expected an array of strings, found a string"
            ])
        #expect(problems(minimal(plus: "[boards]\nlanguage = [\"en\"]")).first?.contains("did you mean `languages`?") == true)
    }
}
