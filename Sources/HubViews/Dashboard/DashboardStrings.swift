/// A text of the dashboard in its two languages (Bahasa Indonesia, the
/// default, and English), named by what it says. Every word a page shows
/// is here, so the two languages are kept side by side in one place.
struct Phrase {
    let id: String
    let en: String
}

extension Phrase {
    // MARK: Layout

    static let siteTitle = Phrase(id: "Jaringan Telecenter", en: "Telecenter network")
    static let skipToContent = Phrase(id: "Langsung ke isi", en: "Skip to content")
    static let generated = Phrase(id: "Diperbarui", en: "Generated")
    static let mainMenu = Phrase(id: "Menu utama", en: "Main menu")
    static let footerNote = Phrase(
        id: "Data direplikasi dari telecenter ke hub; angka mengikuti data yang sudah diterima hub dan bisa tertinggal dari keadaan di lapangan.",
        en: "Data replicated from the centres to the hub; figures follow what the hub has received and may lag behind the field.")
    static let network = Phrase(id: "Jaringan", en: "Network")
    static let timesIn = Phrase(id: "Waktu dalam", en: "Times in")
    static let overview = Phrase(id: "Ringkasan", en: "Overview")

    // MARK: Words several pages use

    static let centre = Phrase(id: "Telecenter", en: "Centre")
    static let centres = Phrase(id: "Telecenter", en: "Centres")
    static let region = Phrase(id: "Wilayah", en: "Region")
    static let product = Phrase(id: "Produk", en: "Product")
    static let products = Phrase(id: "Produk", en: "Products")
    static let productsUMKM = Phrase(id: "Produk UMKM", en: "Products")
    static let smallBusinessProducts = Phrase(id: "Produk UMKM", en: "Small-business products")
    static let sales = Phrase(id: "Penjualan", en: "Sales")
    static let fee = Phrase(id: "Fee", en: "Fee")
    static let fees = Phrase(id: "Fee", en: "Fees")
    static let trainings = Phrase(id: "Pelatihan", en: "Trainings")
    static let participants = Phrase(id: "Peserta", en: "Participants")
    static let women = Phrase(id: "perempuan", en: "women")
    static let monitoring = Phrase(id: "Monitoring", en: "Monitoring")
    static let activities = Phrase(id: "Kegiatan", en: "Activities")
    static let awards = Phrase(id: "Penghargaan", en: "Awards")
    static let entries = Phrase(id: "Entri", en: "Entries")
    static let date = Phrase(id: "Tanggal", en: "Date")
    static let title = Phrase(id: "Judul", en: "Title")
    static let category = Phrase(id: "Kategori", en: "Category")
    static let topic = Phrase(id: "Topik", en: "Topic")
    static let type = Phrase(id: "Jenis", en: "Type")
    static let classification = Phrase(id: "Klasifikasi", en: "Classification")
    static let other = Phrase(id: "Lainnya", en: "Other")
    static let others = Phrase(id: "lainnya", en: "others")
    static let byCategory = Phrase(id: "Per kategori", en: "By category")
    static let byRegion = Phrase(id: "Per wilayah", en: "By region")
    static let byMonth = Phrase(id: "Per bulan", en: "By month")
    static let centresByRegion = Phrase(id: "Telecenter per wilayah", en: "Centres by region")
    static let trainingsByTopic = Phrase(id: "Pelatihan per topik", en: "Trainings by topic")
    static let participantsByTargetGroup = Phrase(id: "Peserta per kelompok sasaran", en: "Participants by target group")
    static let downloadCSV = Phrase(id: "Unduh CSV", en: "Download CSV")
    static let noDataYet = Phrase(id: "Belum ada data.", en: "No data yet.")
    static let nothingMatches = Phrase(id: "Tidak ada data yang cocok dengan filter ini.", en: "Nothing matches these filters.")
    static let noCentresYet = Phrase(id: "Belum ada telecenter.", en: "No centres yet.")
    static let noSurveysYet = Phrase(id: "Belum ada survei monitoring.", en: "No monitoring surveys yet.")

    // MARK: Nouns, after a count

    static let centresNoun = Phrase(id: "telecenter", en: "centres")
    static let productsNoun = Phrase(id: "produk", en: "products")
    static let salesNoun = Phrase(id: "penjualan", en: "sales")
    static let trainingsNoun = Phrase(id: "pelatihan", en: "trainings")
    static let participantsNoun = Phrase(id: "peserta", en: "participants")
    static let surveysNoun = Phrase(id: "survei", en: "surveys")
    static let activitiesNoun = Phrase(id: "kegiatan", en: "activities")

    // MARK: When a centre was last heard from

    static let heardWithin7Days = Phrase(id: "Terdengar dalam 7 hari", en: "Heard within 7 days")
    static let heard8To30DaysAgo = Phrase(id: "Terdengar 8–30 hari lalu", en: "Heard 8–30 days ago")
    static let silentOver30Days = Phrase(id: "Senyap lebih dari 30 hari", en: "Silent over 30 days")
    static let neverHeardFrom = Phrase(id: "Belum pernah terdengar", en: "Never heard from")
    static let heardUpTo7Days = Phrase(id: "Terdengar ≤ 7 hari", en: "Heard ≤ 7 days")
    static let silentMoreThan30Days = Phrase(id: "Senyap > 30 hari", en: "Silent > 30 days")

    // MARK: Filters and paging

    static let regionPlaceholder = Phrase(id: "Kab./kota atau provinsi", en: "Regency, city or province")
    static let period = Phrase(id: "Periode", en: "Period")
    static let periodHint = Phrase(id: "Tahun (2026) atau bulan (2026-11)", en: "Year (2026) or month (2026-11)")
    static let all = Phrase(id: "Semua", en: "All")
    static let perPage = Phrase(id: "Per halaman", en: "Per page")
    static let apply = Phrase(id: "Terapkan", en: "Apply")
    static let clearFilters = Phrase(id: "Hapus filter", en: "Clear filters")
    static let pages = Phrase(id: "Halaman", en: "Pages")
    static let previous = Phrase(id: "Sebelumnya", en: "Previous")
    static let next = Phrase(id: "Berikutnya", en: "Next")
    static func noItems(_ noun: String) -> Phrase { Phrase(id: "Tidak ada \(noun)", en: "No \(noun)") }
    static func range(_ first: String, _ last: String, of total: String, _ noun: String) -> Phrase {
        Phrase(id: "\(first)–\(last) dari \(total) \(noun)", en: "\(first)–\(last) of \(total) \(noun)")
    }
    static func pageOf(_ page: String, _ pages: String) -> Phrase {
        Phrase(id: "Halaman \(page) dari \(pages)", en: "Page \(page) of \(pages)")
    }

    // MARK: Charts

    static let centresByRegionDescription = Phrase(
        id: "Jumlah telecenter per kabupaten/kota: terdengar dalam 7 hari terakhir, senyap lebih dari 30 hari, dan lainnya.",
        en: "Centres per regency or city: heard from in the last 7 days, silent for over 30 days, and the others.")
    static let largest = Phrase(id: "Terbanyak: ", en: "Largest: ")
    static let productsByRegion = Phrase(id: "Produk per wilayah", en: "Products by region")
    static let otherRegions = Phrase(id: "wilayah lainnya", en: "other regions")
    static let productsByCategory = Phrase(id: "Produk per kategori", en: "Products by category")
    static let productsByCategoryDescription = Phrase(
        id: "Jumlah produk per kategori, dan yang dijual online: ",
        en: "Products per category, and those sold online: ")
    static let noProductsYet = Phrase(id: "Belum ada produk.", en: "No products yet.")
    static let noTrainingsYet = Phrase(id: "Belum ada pelatihan.", en: "No trainings yet.")
    static let peopleTrainedUnit = Phrase(id: "orang dilatih", en: "people trained")
    static let surveyed = Phrase(id: "disurvei", en: "surveyed")
    static let monitoringClassification = Phrase(id: "Klasifikasi monitoring", en: "Monitoring classification")
    static func trainingsByMonth(_ span: String) -> Phrase {
        Phrase(id: "Pelatihan dan peserta per bulan \(span)", en: "Trainings and participants by month \(span)")
    }
    static func ofSurveyedCentres(_ n: String) -> Phrase {
        Phrase(id: "dari \(n) telecenter yang disurvei (survei terakhir tiap telecenter)", en: "of \(n) surveyed centres (each centre's latest survey)")
    }

    // MARK: Overview

    static let networkOverview = Phrase(id: "Ringkasan jaringan", en: "Network overview")
    static let overviewLede = Phrase(
        id: "Keadaan seluruh telecenter: replikasi data, produk UMKM, pelatihan, monitoring dan penghargaan.",
        en: "All centres at a glance: data replication, small-business products, trainings, monitoring and awards.")
    static let filtered = Phrase(id: "Disaring", en: "Filtered")
    static let regionWord = Phrase(id: "wilayah ", en: "region ")
    static let periodWord = Phrase(id: "periode ", en: "period ")
    static let categoryWord = Phrase(id: "kategori ", en: "category ")
    static let showEverything = Phrase(id: "Tampilkan semua", en: "Show everything")
    static let heardLast7Days = Phrase(id: "Terdengar 7 hari terakhir", en: "Heard from in last 7 days")
    static let peopleTrained = Phrase(id: "Orang dilatih", en: "People trained")
    static let centresSurveyed = Phrase(id: "Telecenter disurvei", en: "Centres surveyed")
    static let allCentresLink = Phrase(id: "Semua telecenter →", en: "All centres →")
    static let replicationFreshness = Phrase(id: "Kesegaran replikasi", en: "Replication freshness")
    static let freshnessNote = Phrase(
        id: "Telecenter yang paling lama tidak terdengar di atas. Titik hijau: terdengar ≤ 7 hari; kuning: 8–30 hari; merah: lebih dari 30 hari atau belum pernah.",
        en: "Centres not heard from for longest first. Green dot: heard within 7 days; yellow: 8–30 days; red: over 30 days or never.")
    static let allProductsLink = Phrase(id: "Semua produk →", en: "All products →")
    static let sellersHeading = Phrase(
        id: "Telecenter yang berjualan online dan menerima fee",
        en: "Centres selling online and earning fees")
    static let allTrainingsLink = Phrase(id: "Semua pelatihan →", en: "All trainings →")
    static let allSurveysLink = Phrase(id: "Semua survei →", en: "All surveys →")
    static let latestSurveyPerCentre = Phrase(id: "Survei terbaru per telecenter", en: "Latest survey per centre")
    static let centreActivities = Phrase(id: "Kegiatan telecenter", en: "Centre activities")
    static let allActivitiesLink = Phrase(id: "Semua kegiatan →", en: "All activities →")
    static let activitiesByType = Phrase(id: "Kegiatan per jenis", en: "Activities by type")
    static let activitiesReported = Phrase(
        id: "kegiatan dilaporkan: pendampingan, konten terbit, penerapan TIK dan promosi",
        en: "activities reported: mentoring, content published, ICT deployments and promotion")
    static let fullRankingsLink = Phrase(id: "Semua peringkat →", en: "Full rankings →")
    static let total = Phrase(id: "Jumlah", en: "Total")
    static let upTo7Days = Phrase(id: "≤ 7 hari", en: "≤ 7 days")
    static let over30Days = Phrase(id: "> 30 hari", en: "> 30 days")
    static let allRegions = Phrase(id: "Semua wilayah", en: "All regions")
    static let heardByNetwork = Phrase(id: "Terdengar lewat jaringan", en: "Heard by network")
    static let byBundle = Phrase(id: "Lewat bundel (stik)", en: "By bundle (stick)")
    static let entriesBehind = Phrase(id: "Entri tertinggal", en: "Entries behind")
    static let freshnessPerCentre = Phrase(id: "Kesegaran replikasi per telecenter", en: "Replication freshness per centre")
    static let everyCentreHeardRecently = Phrase(
        id: "Semua telecenter terdengar baru-baru ini.",
        en: "Every centre was heard from recently.")
    static let productsOnline = Phrase(id: "Produk online", en: "Products online")
    static let centresSellingOnline = Phrase(id: "Telecenter yang berjualan online", en: "Centres selling online")
    static let noCentreSellsOnline = Phrase(id: "Belum ada telecenter yang berjualan online.", en: "No centre sells online yet.")
    static let noPhoto = Phrase(id: "Tanpa foto", en: "No photo")
    static let averageScore = Phrase(id: "Skor rata-rata (1–5)", en: "Average score (1–5)")
    static func inRegions(_ n: String) -> Phrase { Phrase(id: "di \(n) wilayah", en: "in \(n) regions") }
    static func ofAllCentres(_ share: String) -> Phrase { Phrase(id: "\(share) dari semua telecenter", en: "\(share) of all centres") }
    static func neverHeardCount(_ n: String) -> Phrase { Phrase(id: "\(n) belum pernah terdengar", en: "\(n) never heard from") }
    static func soldOnlineCount(_ n: String) -> Phrase { Phrase(id: "\(n) dijual online", en: "\(n) sold online") }
    static func feesAndCentres(_ fees: String, _ centres: String) -> Phrase {
        Phrase(id: "fee \(fees) · \(centres) telecenter", en: "fees \(fees) · \(centres) centres")
    }
    static func trainingsAndWomen(_ n: String, _ women: String) -> Phrase {
        Phrase(id: "\(n) pelatihan · \(women) perempuan", en: "\(n) trainings · \(women) women")
    }
    static func seeAllSurveys(_ n: String) -> Phrase { Phrase(id: "Lihat semua \(n) survei →", en: "See all \(n) surveys →") }
    static func wholeNetwork(centres: String, sales: String) -> Phrase {
        Phrase(id: "Seluruh jaringan (\(centres) telecenter, \(sales) transaksi)", en: "Whole network (\(centres) centres, \(sales) sales)")
    }

    // MARK: Centres

    static let centresLede = Phrase(
        id: "Setiap telecenter: kapan terakhir terdengar, entri yang diterima hub, produk, penjualan, pelatihan dan hasil monitoring terakhir.",
        en: "Every centre: when it was last heard from, entries the hub holds, products, sales, trainings and latest monitoring result.")
    static let notSurveyed = Phrase(id: "belum disurvei", en: "not surveyed")
    static let lastHeard = Phrase(id: "Terakhir terdengar", en: "Last heard")
    static let name = Phrase(id: "Nama", en: "Name")
    static let behind = Phrase(id: "Tertinggal", en: "Behind")
    static let latestMonitoring = Phrase(id: "Monitoring terakhir", en: "Latest monitoring")
    static let centresCaption = Phrase(id: "Daftar telecenter", en: "Centres")
    static let contact = Phrase(id: "Kontak dan layanan", en: "Contact and services")
    static let services = Phrase(id: "Layanan", en: "Services")
    static let expertise = Phrase(id: "Keahlian", en: "Expertise")
    static let openingHours = Phrase(id: "Jam buka", en: "Opening hours")

    // MARK: Products

    static let productsLede = Phrase(
        id: "Produk usaha mikro, kecil dan menengah binaan telecenter, dan yang sudah dijual online.",
        en: "Products of the small businesses the centres support, and which are sold online.")
    static let soldOnline = Phrase(id: "Dijual online", en: "Sold online")
    static let centresSelling = Phrase(id: "Telecenter berjualan", en: "Centres selling")
    static let salesValue = Phrase(id: "Nilai penjualan", en: "Sales value")
    static let link = Phrase(id: "tautan", en: "link")
    static let yes = Phrase(id: "ya", en: "yes")
    static let soldOut = Phrase(id: "habis", en: "no")
    static let price = Phrase(id: "Harga", en: "Price")
    static let available = Phrase(id: "Tersedia", en: "Available")
    static let online = Phrase(id: "Online", en: "Online")
    static let productsCaption = Phrase(id: "Daftar produk", en: "Products")
    static func categoriesCount(_ n: String) -> Phrase { Phrase(id: "\(n) kategori", en: "\(n) categories") }
    static func ofAllProducts(_ share: String) -> Phrase { Phrase(id: "\(share) dari semua produk", en: "\(share) of all products") }
    static func salesCount(_ n: String) -> Phrase { Phrase(id: "\(n) transaksi", en: "\(n) sales") }
    static func feesOf(_ amount: String) -> Phrase { Phrase(id: "fee \(amount)", en: "fees \(amount)") }
    static func photoOf(_ name: String) -> Phrase { Phrase(id: "Foto \(name)", en: "Photo of \(name)") }
    /// The text of one of a record's photos (the first is `of`).
    static func photo(_ n: Int, of: Phrase) -> Phrase {
        n == 1 ? of : Phrase(id: "\(of.id) (\(n))", en: "\(of.en) (\(n))")
    }
    static let onTheMap = Phrase(id: "Lihat di peta", en: "See on the map")

    // MARK: Sales

    static let salesLede = Phrase(
        id: "Penjualan produk UMKM melalui telecenter, dengan fee yang diterima telecenter.",
        en: "Sales of small-business products through the centres, with the fees the centres keep.")
    static let totalOnThisPage = Phrase(id: "Jumlah di halaman ini", en: "Total on this page")
    static let quantity = Phrase(id: "Jumlah", en: "Quantity")
    static let amount = Phrase(id: "Nilai", en: "Amount")
    static let channel = Phrase(id: "Saluran", en: "Channel")
    static let salesCaption = Phrase(id: "Daftar penjualan", en: "Sales")

    // MARK: Trainings

    static let trainingsLede = Phrase(
        id: "Pelatihan yang diselenggarakan telecenter: topik, kelompok sasaran dan peserta.",
        en: "Trainings the centres held: topics, target groups and participants.")
    static let start = Phrase(id: "Mulai", en: "Start")
    static let trainers = Phrase(id: "Pelatih", en: "Trainers")
    static let womenMen = Phrase(id: "Perempuan / laki-laki", en: "Women / men")
    static let targetGroups = Phrase(id: "Kelompok sasaran", en: "Target groups")
    static let trainingsCaption = Phrase(id: "Daftar pelatihan", en: "Trainings")
    static func until(_ date: String) -> Phrase { Phrase(id: "s.d. \(date)", en: "to \(date)") }
    static func trainingPhoto(_ title: String) -> Phrase { Phrase(id: "Foto pelatihan \(title)", en: "Photo of the training \(title)") }

    // MARK: Monitoring

    static let monitoringLede = Phrase(
        id: "Survei monitoring dan evaluasi telecenter oleh tim provinsi, dengan klasifikasi dan skor (1–5).",
        en: "The province's monitoring surveys of the centres, with classification and score (1–5).")
    static let latestClassificationPerCentre = Phrase(
        id: "Klasifikasi survei terakhir tiap telecenter",
        en: "Classification of each centre's latest survey")
    static let score = Phrase(id: "Skor", en: "Score")
    static let assessor = Phrase(id: "Penilai", en: "Assessor")
    static let notes = Phrase(id: "Catatan", en: "Notes")
    static let surveysCaption = Phrase(id: "Daftar survei monitoring", en: "Monitoring surveys")
    static let visitedAt = Phrase(id: "Lokasi kunjungan: ", en: "Visited at: ")
    static func monitoringPhoto(of name: String, _ date: String) -> Phrase {
        Phrase(id: "Foto monitoring \(name), \(date)", en: "Monitoring photo of \(name), \(date)")
    }

    // MARK: Activities

    static let activitiesLede = Phrase(
        id: "Pendampingan, konten terbit, penerapan TIK dan promosi yang dilaporkan telecenter.",
        en: "Mentoring, published content, ICT deployments and promotion reported by the centres.")
    static let count = Phrase(id: "Jumlah", en: "Count")
    static let group = Phrase(id: "Kelompok", en: "Group")
    static let activitiesCaption = Phrase(id: "Daftar kegiatan", en: "Activities")

    // MARK: Awards

    static let awardsLede = Phrase(
        id: "Peringkat pelatih, telecenter penyelenggara pelatihan, konten terbit dan penerapan TIK.",
        en: "Rankings of trainers, centres holding trainings, content published and ICT deployments.")
    static let year = Phrase(id: "Tahun", en: "Year")
    static let topTrainers = Phrase(id: "Pelatih terbaik", en: "Top trainers")
    static let trainingsLed = Phrase(id: "pelatihan yang dipandu", en: "trainings led")
    static let trainingsHeld = Phrase(id: "Penyelenggara pelatihan", en: "Trainings held")
    static let contentPublished = Phrase(id: "Konten terbit", en: "Content published")
    static let contentItems = Phrase(id: "konten", en: "items")
    static let ictDeployments = Phrase(id: "Penerapan TIK", en: "ICT deployments")
    static let deployments = Phrase(id: "penerapan", en: "deployments")
    static let noDataThisYear = Phrase(id: "Belum ada data tahun ini.", en: "No data for this year.")
    static let trainer = Phrase(id: "Pelatih", en: "Trainer")
    static func yearlyAwards(_ year: String) -> Phrase { Phrase(id: "Penghargaan tahunan \(year)", en: "Yearly awards \(year)") }

    // MARK: A period the pages cannot apply

    static let unknownPeriod = Phrase(id: "Periode tidak dikenal", en: "Unknown period")
    static let showWithoutPeriod = Phrase(id: "Tampilkan tanpa filter periode", en: "Show it without a period filter")
    static func periodMustBe(_ shown: String) -> Phrase {
        Phrase(id: "Periode harus berupa tahun (2026) atau bulan (2026-03), bukan \u{201C}\(shown)\u{201D}.", en: "The period must be a year (2026) or a month (2026-03), not \u{201C}\(shown)\u{201D}.")
    }
}
