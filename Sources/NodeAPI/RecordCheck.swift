import Replication
import Telecenter

/// The checks a record of this node passes before it is signed. tcnoded runs
/// them on every write of the control socket, whatever client sent it;
/// `tcnode` runs the same ones first, to refuse a record before its photos
/// are sent, and when it writes the node's files itself.
public enum RecordCheck {
    /// The first reason the record may not be written at `nowMs`, or nil.
    /// Records of the kinds this version knows are checked field by field
    /// (`RecordValidation`, dated no later than tomorrow in UTC); every put
    /// must be a JSON object of at most 1 MiB whose text holds no control
    /// characters.
    public static func refusal(op: Op, kind: String, key: String, body: [UInt8], nowMs: Int64) -> ControlError? {
        guard Entry.isValidKind(kind) else {
            return ControlError(.badKind, field: "kind",
                                en: "kind '\(kind)' is invalid: use 1 to 64 of lowercase a-z, 0-9, '.', '_' and '-'",
                                id: "jenis '\(kind)' tidak sah: pakai 1 sampai 64 karakter huruf kecil a-z, 0-9, '.', '_' dan '-'")
        }
        let keyBytes = key.utf8.count
        guard keyBytes >= 1 && keyBytes <= Entry.maximumKeyLength else {
            return ControlError(.badKey, field: "key",
                                en: "the key must be 1 to \(Entry.maximumKeyLength) bytes of UTF-8 text (got \(keyBytes))",
                                id: "kunci harus 1 sampai \(Entry.maximumKeyLength) byte teks UTF-8 (isinya \(keyBytes))")
        }
        if op == .delete {
            // The key of a record written before a check existed must stay deletable.
            guard body.isEmpty else {
                return ControlError(.bodyNotAllowed, field: "body", en: "a delete has no body; send the kind and key only",
                                    id: "penghapusan tidak berisi; kirim jenis dan kuncinya saja")
            }
            return nil
        }
        guard body.count <= Entry.maximumBodySize else { return bodyTooLarge(body.count) }
        if let failure = JSONObjectCheck.validate(body) {
            return ControlError(.notJSONObject, field: "body",
                                en: "the body is not a JSON object: \(failure.message) (at byte \(failure.offset))",
                                id: "isinya bukan objek JSON: \(failure.message) (di byte \(failure.offset))")
        }
        do {
            try RecordValidation.validate(kind: kind, key: key, body: body, latestDate: RecordValidation.latestDate(nowMs: nowMs))
        } catch {
            return ControlError(.invalidField, field: error.field.isEmpty ? nil : error.field,
                                en: error.message(language: "en"), id: error.message(language: "id"))
        }
        if let problem = TextCheck.problem(kind: kind, key: key, body: JSONValue.parse(body)) {
            return ControlError(.controlCharacter, field: problem.field, en: TextCheck.message(problem, kind: kind, language: "en"),
                                id: TextCheck.message(problem, kind: kind, language: "id"))
        }
        return nil
    }

    public static func bodyTooLarge(_ count: Int) -> ControlError {
        ControlError(.bodyTooLarge, field: "body",
                     en: "the record body is larger than 1 MiB (\(count) bytes, the most is \(Entry.maximumBodySize)): "
                        + "make it smaller, or store photos and other files with --photo instead of inside the record",
                     id: "isi rekaman lebih dari 1 MiB (\(count) byte, paling banyak \(Entry.maximumBodySize)): "
                        + "perkecil, atau simpan foto dan berkas lain dengan --photo, bukan di dalam rekaman")
    }
}
