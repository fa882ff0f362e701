import SMSChannel
import Testing

/// TwilioSignature on fixed vectors, computed independently with Python's hmac
/// (`base64(hmac.new(token, url + "".join(k + p[k] for k in sorted(p)), sha1))`), and the form
/// encoding the callbacks arrive in.
struct TwilioSignatureTests {
    @Test func matchesTwiliosPublishedExample() {
        let parameters = [
            (name: "CallSid", value: "CA1234567890ABCDE"), (name: "Caller", value: "+12349013030"),
            (name: "Digits", value: "1234"), (name: "From", value: "+12349013030"), (name: "To", value: "+18005551212"),
        ]
        let signature = TwilioSignature(authToken: "12345")
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(signature.compute(url: url, parameters: parameters) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    }

    @Test func signsAStatusCallbackWhateverTheParametersOrder() {
        let url = "https://relay.example.org/v1/callbacks/twilio"
        let parameters = [
            (name: "To", value: "+41790000000"), (name: "MessageStatus", value: "delivered"),
            (name: "MessageSid", value: "SM0123456789abcdef0123456789abcdef"), (name: "AccountSid", value: "ACtest"),
        ]
        let signature = TwilioSignature(authToken: "twilio-secret")
        #expect(signature.compute(url: url, parameters: parameters) == "zWcKPhTONR8l2ItI4s/mPR3etQc=")
        #expect(signature.isValid("zWcKPhTONR8l2ItI4s/mPR3etQc=", url: url, parameters: parameters.reversed()))
        #expect(!signature.isValid("zWcKPhTONR8l2ItI4s/mPR3etQd=", url: url, parameters: parameters))
        #expect(!signature.isValid("", url: url, parameters: parameters))
    }

    @Test func signsNonASCIIValuesAsUTF8() {
        let parameters = [(name: "MessageSid", value: "SMx"), (name: "Body", value: "Gate B12 → B14, Zürich")]
        #expect(
            TwilioSignature(authToken: "twilio-secret").compute(
                url: "https://relay.example.org/v1/callbacks/twilio", parameters: parameters) == "cVFGfW4D0/FvufnNaspQaztKLwU=")
    }

    @Test func formEncodingRoundTripsNumbersAndSpaces() {
        let parameters = [(name: "To", value: "+41 79 000 00 00"), (name: "Body", value: "a&b=c ü")]
        let encoded = FormURLEncoding.encode(parameters)
        #expect(encoded == "To=%2B41%2079%20000%2000%2000&Body=a%26b%3Dc%20%C3%BC")
        let decoded = FormURLEncoding.decode(encoded)
        #expect(decoded.map(\.name) == ["To", "Body"])
        #expect(decoded.map(\.value) == ["+41 79 000 00 00", "a&b=c ü"])
        #expect(FormURLEncoding.decode("MessageStatus=sent+ok&To=%2B1").map(\.value) == ["sent ok", "+1"])
    }
}
