import Foundation

/// A bundle looked at without a store (`tcnode bundle show`): its header,
/// its manifest if it verifies, and every problem found reading it through,
/// so an operator can check a stick before the trip.
public struct BundleInspection: Sendable {
    public let path: String
    public let size: UInt64
    public let header: BundleHeader?
    /// Only when its signature verified.
    public let manifest: BundleManifest?
    public let manifestState: BundleManifestState
    public let problems: [BundleProblem]
    /// Records read through the sections (with `checkSections`).
    public let entries: Int
    public let heads: Int
    public let photoBytes: Int64

    public var network: String { manifest?.network ?? header?.network ?? "" }
    public var exporter: String { manifest?.exporter ?? header?.exporter ?? "" }
    public var isWhole: Bool { manifestState == .verified && problems.isEmpty }

    /// Opens and, with `checkSections`, reads every section (checking each
    /// against the manifest's SHA-256). Synchronous file I/O.
    @available(*, noasync, message: "reads the file; run it with OffPool.run")
    public static func inspect(path: String, checkSections: Bool = true) throws -> BundleInspection {
        let opened = try OpenedBundle(path: path)
        var problems = opened.problems
        var entries = 0, heads = 0
        var photoBytes: Int64 = 0
        if checkSections {
            opened.forEachSection({ section in
                switch section.type {
                case Frame.Kind.entries.rawValue:
                    let (raw, wellFormed) = BundleSections.entries(section.payload)
                    entries += raw.count
                    if !wellFormed && section.complete {
                        problems.append(.init(.sectionDamaged, section: section.index, offset: section.offset,
                                              "section \(section.index + 1) (ENTRIES at byte \(section.offset)) is damaged"))
                    }
                case Frame.Kind.heads.rawValue:
                    heads += BundleSections.heads(section.payload)?.heads.count ?? 0
                case Frame.Kind.blobData.rawValue:
                    photoBytes += Int64(BundleSections.blobChunk(section.payload)?.bytes.count ?? 0)
                default:
                    break
                }
                return true
            }, problem: { problems.append($0) })
            if let m = opened.manifest, m.entries != entries {
                problems.append(.init(.countMismatch, "the manifest lists \(m.entries) entries but \(entries) could be read"))
            }
        }
        return BundleInspection(path: path, size: opened.reader.size, header: opened.header, manifest: opened.manifest,
                                manifestState: opened.manifestState, problems: problems, entries: entries, heads: heads,
                                photoBytes: photoBytes)
    }
}
