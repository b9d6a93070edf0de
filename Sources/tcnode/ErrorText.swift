import Foundation
import NIOCore
import NodeAPI
import NodeRuntime
import Replication

/// Errors in words an operator can act on, in English or Bahasa Indonesia:
/// never a Swift type dump, a BoringSSL error code or a build path.
enum ErrorText {
    static func plain(_ error: any Error, language l: Language = .current) -> String {
        switch error {
        case let f as Failure: return f.message
        case let f as ControlClient.Failure: return control(f, language: l)
        case let e as ControlError: return e.message(language: l.rawValue)
        case let e as StoreError: return l == .id ? e.indonesian : e.description
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
        case let e as BlobStore.Failure: return l.t(e.description, e.indonesian)
        case let e as DataDirectory.Lock.Failure:
            switch e {
            case .daemonRunning(let directory):
                return l.t(e.description, "tcnoded sedang berjalan di \(directory) dan hanya ia yang menulis selama berjalan: tulis lewat tcnoded, atau hentikan dulu")
            case .otherDaemon(let directory):
                return l.t(e.description, "tcnoded lain sudah berjalan di direktori data \(directory); hentikan dulu, atau beri yang ini data_dir sendiri")
            case .io(let path, let detail): return l.t(e.description, "\(path) tidak bisa dipakai: \(detail)")
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
