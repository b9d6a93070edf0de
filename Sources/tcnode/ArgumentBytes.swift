import Foundation

/// Command-line arguments must be UTF-8 text. Swift hands ArgumentParser
/// strings in which invalid bytes are already replaced by U+FFFD, so a
/// name typed in a Latin-1 terminal would be stored as "Kerupuk ���"
/// without a word; the raw bytes are checked before parsing.
enum ArgumentBytes {
    /// EX_USAGE: the command was used wrongly.
    static let exitCode: Int32 = 64

    static func check(_ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, count: Int) throws {
        for index in 1..<max(1, count) {
            guard let pointer = argv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            if let offset = invalidOffset(in: bytes) {
                throw Failure(message: message(argument: index, bytes: Array(bytes), offset: offset), code: exitCode)
            }
        }
    }

    /// Where the first byte that does not belong to valid UTF-8 is, or nil.
    static func invalidOffset<C: Collection>(in bytes: C) -> Int? where C.Element == UInt8, C.Index == Int {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    static func message(argument index: Int, bytes: [UInt8], offset: Int) -> String {
        // The valid part is shown so the operator can tell which argument it is.
        let shown = String(decoding: bytes[..<offset], as: UTF8.self)
        let byte = String(bytes[offset], radix: 16, uppercase: true)
        return "argument \(index) is not UTF-8 text (byte 0x\(byte.count < 2 ? "0" + byte : byte) after \"\(shown)\"). "
            + "Use a UTF-8 terminal (locale C.UTF-8 or id_ID.UTF-8), or convert the text first, e.g. with "
            + "`iconv -f latin1 -t utf-8`; nothing was changed"
    }
}
