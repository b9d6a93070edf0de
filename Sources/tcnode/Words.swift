import Replication
import Telecenter

/// Names of roles, standings and record kinds for people, per language.
enum Words {
    static func role(_ role: String, _ l: Language) -> String {
        guard l == .id else { return role == "not-a-member" ? "not a member" : role }
        return [
            "genesis": "genesis", "authority": "otoritas", "hub": "hub", "telecenter": "telecenter", "monitor": "pemantau",
            "revoked": "dicabut", "not-a-member": "bukan anggota", "unknown": "tidak diketahui",
        ][role] ?? role
    }

    static func kind(_ kind: String, _ l: Language) -> String {
        guard l == .id else { return kind }
        return [
            "activity": "kegiatan", "admit": "penerimaan", "revoke": "pencabutan", "monitoring": "survei", "node": "profil",
            "product": "produk", "sale": "penjualan", "training": "pelatihan",
        ][kind] ?? kind
    }

    /// A member's standing, as `members` shows it.
    static func standing(_ standing: Roster.Standing, _ l: Language) -> String {
        switch standing {
        case .genesis: "genesis"
        case .member: l.t("member", "anggota")
        case .revoked(_, let from): l.t("revoked from seq \(from)", "dicabut mulai seq \(from)")
        case .notMember: l.t("not a member", "bukan anggota")
        }
    }
}
