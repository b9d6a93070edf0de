import Foundation
import NIOCore
import NodeRuntime
import Replication

/// Errors in words an operator can act on, in English or Bahasa Indonesia:
/// never a Swift type dump, a BoringSSL error code or a build path.
enum ErrorText {
    static func plain(_ error: any Error, language l: Language = .current) -> String {
        switch error {
        case let f as Failure: return f.message
        case let f as ControlClient.Failure: return control(f, language: l)
        case let e as StoreError: return store(e, language: l)
        case let e as NodeKey.FileError: return key(e, language: l)
        case let e as DataDirectory.InitError:
            switch e {
            case .alreadyInitialised(let path):
                return l.t(e.description, "\(path) sudah berisi node (node.key ada); tidak ada yang diubah. Pakai --data-dir lain untuk node baru.")
            case .cannotCreate(let path, let detail):
                return l.t(e.description, "direktori data \(path) tidak bisa dibuat: \(detail)")
            }
        case let e as NodeConfig.Error:
            guard l == .id else { return e.description }
            return e.option.map { "\(e.path): opsi '\($0)': \(e.problem)" } ?? "\(e.path): \(e.problem)"
        case let e as BlobStore.Failure:
            switch e {
            case .notAnImage: return l.t(e.description, "bukan gambar JPEG atau PNG (diperiksa dari isinya, bukan nama berkas)")
            case .tooLarge(let n, let max):
                return l.t(e.description, "\(n) byte; foto paling besar \(max) byte (blob_max_bytes)")
            default: return e.description
            }
        case let e as EntryError: return l.t(e.description, "entri tidak sah: \(e.description)")
        case is DecodingError:
            return l.t("tcnoded answered in a form this tcnode cannot read: are tcnode and tcnoded the same version (`tcnode --version`, `tcnode status`)?",
                       "jawaban tcnoded tidak bisa dibaca oleh tcnode ini: apakah versi tcnode dan tcnoded sama (`tcnode --version`, `tcnode status`)?")
        case is ChannelError, is IOError:
            return control(.lost(l.t("the connection failed", "koneksi gagal")), language: l)
        case let e as CocoaError:
            let path = (e.userInfo[NSFilePathErrorKey] as? String) ?? e.errorUserInfo[NSFilePathErrorKey] as? String ?? ""
            if e.code == .fileReadNoSuchFile || e.code == .fileNoSuchFile {
                return l.t("file not found: \(path)", "berkas tidak ditemukan: \(path)")
            }
            if e.code == .fileReadNoPermission || e.code == .fileWriteNoPermission {
                return l.t("permission denied: \(path)", "izin ditolak: \(path)")
            }
            return l.t("cannot use \(path): \(e.localizedDescription)", "\(path) tidak bisa dipakai: \(e.localizedDescription)")
        default:
            return scrub("\(error)")
        }
    }

    /// Text of an unknown error without what only a developer can read:
    /// BoringSSL's stacks and source paths.
    static func scrub(_ text: String) -> String {
        var out = text
        if let r = out.range(of: #"\s*at /[^\s\]\)]*"#, options: .regularExpression) { out.removeSubrange(r.lowerBound...) }
        out = out.replacingOccurrences(of: #"\[?Error: \d+ error:[0-9A-Fa-f]+:[^:]*:[^:]*:"#, with: "", options: .regularExpression)
        return out.trimmingCharacters(in: .whitespaces)
    }

    static func control(_ f: ControlClient.Failure, language l: Language) -> String {
        guard l == .id else { return f.description }
        switch f {
        case .notRunning(let path): return "tcnoded tidak berjalan (tidak ada yang menjawab di \(path))"
        case .permission(let path):
            return "izin ditolak pada \(path): operator harus anggota grup tcnode (sudo usermod -aG tcnode $USER, lalu masuk ulang), atau pakai sudo"
        case .otherDaemon(let path): return "tcnoded lain sudah berjalan di soket kendali \(path)"
        case .refused(let why): return why
        case .http(let code, let body): return "tcnoded menjawab \(code): \(body)"
        case .lost(let why):
            return "tcnoded tidak menjawab (\(why)); lihat `journalctl -u tcnoded`. Setelah menulis, `tcnode log` menunjukkan apakah tulisan tersimpan"
        }
    }

    static func store(_ e: StoreError, language l: Language) -> String {
        guard l == .id else { return e.description }
        switch e {
        case .missing(let path): return "tidak ada basis data di \(path): jalankan `tcnode init` dulu (atau berikan --data-dir yang benar)"
        case .exists(let path): return "basis data sudah ada di \(path); direktori ini sudah berisi node"
        case .corrupt(let path, let detail):
            return "basis data \(path) rusak (\(detail)). Tidak ada yang diubah. Hentikan tcnoded, salin berkas itu beserta -wal dan -shm ke tempat aman, pulihkan direktori data dari cadangan lalu jalankan `tcnode reset-sync`; peer lalu mengirim ulang yang direplikasi sejak itu."
        case .newerSchema(let path, let unknown):
            return "basis data \(path) ditulis oleh tcnode yang lebih baru (perubahan skema: \(unknown.joined(separator: ", "))). Pasang lagi versi baru itu; menurunkan versi tidak didukung."
        case .notInitialised(let path): return "basis data \(path) bukan basis data tcnode (tanpa metadata); periksa --data-dir"
        case .busy(let path): return "basis data \(path) terus dikunci proses lain; coba lagi, atau periksa proses tcnode yang macet"
        case .revokedAuthor(let fromSeq):
            return "node ini dicabut mulai seq \(fromSeq): peer menolak apa pun yang ditulisnya sekarang. Tanyakan otoritas jaringan; pusat yang dicabut perlu kunci baru (`tcnode init` di direktori data baru)."
        case .invalid(let error): return "entri tidak sah: \(error.description)"
        case .io(let path, let detail): return "\(path) tidak bisa dipakai: \(detail)"
        }
    }

    static func key(_ e: NodeKey.FileError, language l: Language) -> String {
        guard l == .id else { return e.description }
        switch e {
        case .missing(let path): return "tidak ada kunci node di \(path): jalankan `tcnode init` dulu (atau berikan --data-dir yang benar)"
        case .exists(let path): return "kunci node sudah ada di \(path); tidak ditimpa (itu identitas node ini)"
        case .permissions(let path, _):
            return "kunci node \(path) bisa dibaca pengguna lain; jalankan `chmod 600 \(path)` dan periksa siapa yang mungkin menyalinnya"
        case .notAFile(let path): return "kunci node \(path) bukan berkas biasa"
        case .corrupt(let path):
            return "kunci node \(path) rusak (bukan kunci privat Ed25519 dalam bentuk PEM); pulihkan dari cadangan, atau bila hilang, pindahkan direktori data lalu jalankan `tcnode init` untuk node baru"
        case .io(let path, let message): return "kunci node \(path) tidak bisa dipakai: \(message)"
        }
    }
}
