/// The closed vocabularies of telecenter records. Values are the words the
/// centres use (Bahasa Indonesia), written lowercase with hyphens.
public enum Vocabulary {
    public static let productCategories = ["pertanian", "perikanan", "peternakan", "kerajinan", "makanan", "jasa", "ti", "lainnya"]
    public static let trainingTopics = [
        "manajerial", "infomobilisasi", "tot-kursus-komputer", "jurnalistik", "kewirausahaan", "literasi-digital",
        "pemasaran-online", "lainnya",
    ]
    public static let targetGroups = ["petani", "nelayan", "perempuan", "pengrajin", "peternak", "umkm", "pelajar", "umum"]
    public static let classifications = ["optimal", "kreatif", "berkembang", "kurang-aktif", "tidak-aktif"]
    public static let scoreCriteria = ["open_staffed", "equipment", "internet", "activities", "management", "benefit"]
    public static let centreTypes = ["telecenter", "posyantek", "kpmi", "komtik", "plik", "hub", "lainnya"]
    public static let activityTypes = ["mentoring", "content", "ict-deployment", "promotion"]
    public static let saleChannels = ["online", "offline"]
    public static let photoTypes = ["image/jpeg", "image/png"]

    /// Record kinds this version validates and shows; others replicate untouched.
    public static let kinds = ["node", "product", "sale", "training", "monitoring", "activity"]

    /// Words for people, per language (Indonesian first).
    public static func label(_ value: String, _ language: String) -> String {
        (language == "en" ? englishLabels[value] : indonesianLabels[value]) ?? value
    }

    static let englishLabels: [String: String] = [
        "pertanian": "agriculture", "perikanan": "fisheries", "peternakan": "livestock", "kerajinan": "crafts",
        "makanan": "food", "jasa": "services", "ti": "IT", "lainnya": "other",
        "manajerial": "management", "infomobilisasi": "info mobilisation", "tot-kursus-komputer": "ToT computer course",
        "jurnalistik": "journalism", "kewirausahaan": "entrepreneurship", "literasi-digital": "digital literacy",
        "pemasaran-online": "online marketing",
        "petani": "farmers", "nelayan": "fishers", "perempuan": "women", "pengrajin": "craftsmen", "peternak": "livestock keepers",
        "umkm": "small businesses", "pelajar": "students", "umum": "general public",
        "optimal": "optimal", "kreatif": "creative", "berkembang": "growing", "kurang-aktif": "less active",
        "tidak-aktif": "inactive",
        "mentoring": "mentoring", "content": "content published", "ict-deployment": "ICT deployments", "promotion": "promotion",
        "open_staffed": "open and staffed", "equipment": "equipment", "internet": "internet", "activities": "activities",
        "management": "management", "benefit": "benefit to the community",
    ]

    static let indonesianLabels: [String: String] = [
        "pertanian": "pertanian", "perikanan": "perikanan", "peternakan": "peternakan", "kerajinan": "kerajinan",
        "makanan": "makanan", "jasa": "jasa", "ti": "TI", "lainnya": "lainnya",
        "manajerial": "manajerial", "infomobilisasi": "infomobilisasi", "tot-kursus-komputer": "ToT kursus komputer",
        "jurnalistik": "jurnalistik", "kewirausahaan": "kewirausahaan", "literasi-digital": "literasi digital",
        "pemasaran-online": "pemasaran online",
        "petani": "petani", "nelayan": "nelayan", "perempuan": "perempuan", "pengrajin": "pengrajin", "peternak": "peternak",
        "umkm": "UMKM", "pelajar": "pelajar", "umum": "umum",
        "optimal": "optimal", "kreatif": "kreatif", "berkembang": "berkembang", "kurang-aktif": "kurang aktif",
        "tidak-aktif": "tidak aktif",
        "mentoring": "pendampingan", "content": "konten terbit", "ict-deployment": "penerapan TIK", "promotion": "promosi",
        "open_staffed": "buka dan ada petugas", "equipment": "peralatan", "internet": "internet", "activities": "kegiatan",
        "management": "pengelolaan", "benefit": "manfaat bagi masyarakat",
    ]
}
