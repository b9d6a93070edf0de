import Replication

/// Bahasa Indonesia for the errors of the node's files that reach an
/// operator: tcnoded puts them in a refusal's `message_id`, and `tcnode`
/// shows them with `--lang id` when it uses the files itself.
extension StoreError {
    public var indonesian: String {
        switch self {
        case .missing(let path): "tidak ada basis data di \(path): jalankan `tcnode init` dulu (atau berikan --data-dir yang benar)"
        case .exists(let path): "basis data sudah ada di \(path); direktori ini sudah berisi node"
        case .corrupt(let path, let detail):
            "basis data \(path) rusak (\(detail)). Tidak ada yang diubah. Hentikan tcnoded, salin berkas itu beserta -wal dan -shm ke tempat aman, pulihkan direktori data dari cadangan lalu jalankan `tcnode reset-sync`; peer lalu mengirim ulang yang direplikasi sejak itu."
        case .newerSchema(let path, let unknown):
            "basis data \(path) ditulis oleh tcnode yang lebih baru (perubahan skema: \(unknown.joined(separator: ", "))). Pasang lagi versi baru itu; menurunkan versi tidak didukung."
        case .notInitialised(let path): "basis data \(path) bukan basis data tcnode (tanpa metadata); periksa --data-dir"
        case .busy(let path): "basis data \(path) terus dikunci proses lain; coba lagi, atau periksa proses tcnode yang macet"
        case .revokedAuthor(let fromSeq):
            "node ini dicabut mulai seq \(fromSeq): peer menolak apa pun yang ditulisnya sekarang. Tanyakan otoritas jaringan; pusat yang dicabut perlu kunci baru (`tcnode init` di direktori data baru)."
        case .invalid(let error): "entri tidak sah: \(error.description)"
        case .io(let path, let detail): "\(path) tidak bisa dipakai: \(detail)"
        }
    }
}

extension BlobStore.Failure {
    public var indonesian: String {
        switch self {
        case .notAnImage: "bukan gambar JPEG atau PNG (diperiksa dari isinya, bukan nama berkas)"
        case .tooLarge(let n, let max): "\(n) byte; foto paling besar \(max) byte (blob_max_bytes)"
        default: description
        }
    }
}
