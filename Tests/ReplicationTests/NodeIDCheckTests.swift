import Foundation
import Replication
import Testing

/// The checked form of node ids (PROTOCOL §1.4): the vectors of the
/// document, and that one wrong, missing or swapped character is refused.
@Suite struct NodeIDCheckTests {
    static let vectors: [(key: [UInt8], plain: String, checked: String)] = [
        ([UInt8](repeating: 0, count: 32), String(repeating: "a", count: 52),
         "aaaaaaa-aaaaaaa-aaaaaaa-aaaaaaa-aaaaaaa-aaaaaaa-aaaaaaa-aaaaaaa"),
        ([UInt8](repeating: 0xFF, count: 32), "777777777777777777777777777777777777777777777777777q",
         "7777777-777777n-7777777-777777n-7777777-777777n-7777777-77777ql"),
        (Array(0..<32), "aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq",
         "aaaqeay-eaudao5-cajbifq-ydiob4x-ibceqtc-qkrmfym-ydenbwh-a5dypqs"),
    ]

    @Test func theDocumentsVectors() throws {
        for v in Self.vectors {
            let id = try #require(NodeID(keyBytes: v.key))
            #expect(id.description == v.plain)
            #expect(id.checked == v.checked)
            #expect(try NodeID(typed: v.checked) == id)
            #expect(try NodeID(typed: v.plain) == id)
        }
        // The worked example of §1.4.
        let example = try #require(NodeID("zhzv6a6t4svhsy4x3zh3xsr7rya2hf6fsgi4zl3ptvnmcqsg5mta"))
        #expect(example.checked == "zhzv6a6-t4svhsp-y4x3zh3-xsr7ryk-a2hf6fs-gi4zl3f-ptvnmcq-sg5mtaw")
        #expect(throws: NodeIDTypo(.checkFailed(group: 1))) { try NodeID(typed: "zhxv6a6-t4svhsp-y4x3zh3-xsr7ryk-a2hf6fs-gi4zl3f-ptvnmcq-sg5mtaw") }
    }

    @Test func peopleMayTypeItInCapitalsAndWithSpaces() throws {
        let id = NodeKey().id
        #expect(try NodeID(typed: id.checked.uppercased()) == id)
        #expect(try NodeID(typed: " " + id.checked.replacingOccurrences(of: "-", with: " ") + "\n") == id)
        #expect(try NodeID(typed: NodeIDTypo.compact(id.checked)) == id)
        // The protocol's own parser stays strict: one spelling only.
        #expect(NodeID(id.checked) == nil && NodeID(id.description.uppercased()) == nil)
    }

    @Test func everyOneCharacterSubstitutionIsCaught() throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        for _ in 0..<20 {
            let id = NodeKey().id
            let compact = Array(NodeIDTypo.compact(id.checked))
            for position in compact.indices {
                for c in alphabet where c != compact[position] {
                    var typo = compact
                    typo[position] = c
                    let result = Result<NodeID, NodeIDTypo> { () throws(NodeIDTypo) in try NodeID(typed: String(typo)) }
                    guard case .failure(let error) = result else {
                        Issue.record("\(String(typo)) was accepted")
                        continue
                    }
                    #expect(error.problem == .checkFailed(group: position / 14 + 1))
                }
            }
        }
    }

    @Test func aMissingOrExtraCharacterIsCaught() throws {
        let id = NodeKey().id
        let compact = NodeIDTypo.compact(id.checked)
        for position in [0, 13, 30, 55] {
            var missing = Array(compact)
            missing.remove(at: position)
            #expect(throws: NodeIDTypo(.length(55))) { try NodeID(typed: String(missing)) }
        }
        #expect(throws: NodeIDTypo(.length(57))) { try NodeID(typed: compact + "a") }
        #expect(throws: NodeIDTypo(.length(51))) { try NodeID(typed: String(id.description.dropLast())) }
        #expect(throws: NodeIDTypo(.notBase32("0"))) { try NodeID(typed: "0" + String(compact.dropFirst())) }
    }

    @Test func swappingNeighboursIsCaughtButForAAnd7() throws {
        var caught = 0, total = 0
        for _ in 0..<50 {
            let compact = Array(NodeIDTypo.compact(NodeKey().id.checked))
            for group in 0..<4 {
                for i in group * 14..<(group * 14 + 12) where compact[i] != compact[i + 1] {
                    var swapped = compact
                    swapped.swapAt(i, i + 1)
                    total += 1
                    if (try? NodeID(typed: String(swapped))) == nil {
                        caught += 1
                    } else {
                        #expect(Set([compact[i], compact[i + 1]]) == Set(["a", "7"]))
                    }
                }
            }
        }
        #expect(caught > total * 99 / 100)
    }
}
