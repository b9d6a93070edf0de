/// Why tcnoded refused a request, as data: a stable `code` for programs, the
/// `field` it is about when there is one, and the words in English
/// (`message`) and Bahasa Indonesia (`message_id`). A client shows the
/// operator's language by choosing one of the two, never by reading the
/// English. The JSON is stable: fields are only ever added.
public struct ControlError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var field: String?
    public var message: String
    public var messageID: String

    enum CodingKeys: String, CodingKey {
        case code, field, message
        case messageID = "message_id"
    }

    /// The codes tcnoded answers with. A client meets codes it does not
    /// know as plain text (`code` stays a string).
    public enum Code: String, Sendable, CaseIterable {
        /// The request is not what the route reads (not JSON, a field missing).
        case badRequest = "bad-request"
        /// The request is larger than the control socket reads at all.
        case requestTooLarge = "request-too-large"
        case badOp = "bad-op"
        case badKind = "bad-kind"
        case badKey = "bad-key"
        case bodyTooLarge = "body-too-large"
        /// A delete carried a body.
        case bodyNotAllowed = "body-not-allowed"
        case notJSONObject = "not-json-object"
        /// A field of a known kind is missing or wrong (`field` names it).
        case invalidField = "invalid-field"
        /// A text field or the key holds a control character or a line break.
        case controlCharacter = "control-character"
        /// The entry could not be made from the record (its signed form is invalid).
        case invalidEntry = "invalid-entry"
        /// This node was revoked: nothing it writes is accepted by peers.
        case revoked
        /// The database could not store it (disk, permissions).
        case storeFailed = "store-failed"
        case noPhotos = "no-photos"
        case photoTooLarge = "photo-too-large"
        case notAnImage = "not-an-image"
        case photoFailed = "photo-failed"
    }

    public init(_ code: Code, field: String? = nil, en: String, id: String) {
        self.code = code.rawValue
        self.field = field
        self.message = en
        self.messageID = id
    }

    /// The words in `language` ("id" for Bahasa Indonesia, else English).
    public func message(language: String) -> String { language == "id" ? messageID : message }

    public var description: String { message }

    /// The same refusal with words put before both messages (which record
    /// of a batch it is about).
    public func prefixed(en: String, id: String) -> ControlError {
        var copy = self
        copy.message = en + message
        copy.messageID = id + messageID
        return copy
    }
}
