import NodeAPI
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
    static func standing(_ member: MemberList.Member, _ l: Language) -> String {
        switch member.status {
        case "genesis": "genesis"
        case "member": l.t("member", "anggota")
        case "revoked": l.t("revoked from seq \(member.revokedFromSeq ?? 0)", "dicabut mulai seq \(member.revokedFromSeq ?? 0)")
        case "not-a-member": l.t("not a member", "bukan anggota")
        default: member.status
        }
    }
}
