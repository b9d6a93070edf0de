import Telecenter

/// What the views return, as JSON (the /api/v1 answers) and to the
/// dashboard. Fields are only ever added.
public struct NamedCount: Codable, Sendable, Equatable {
    public var name: String
    public var value: Double
    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

public struct RegionCentres: Codable, Sendable, Equatable {
    public var region: String
    public var total: Int
    public var heardLast7Days: Int
    public var silentOver30Days: Int
}

public struct MonthFigures: Codable, Sendable, Equatable {
    public var month: String
    public var trainings: Int
    public var participants: Int
}

public struct Summary: Codable, Sendable, Equatable {
    public struct Centres: Codable, Sendable, Equatable {
        public var total: Int
        public var heardLast7Days: Int
        public var silentOver30Days: Int
        public var neverHeard: Int
        public var byRegion: [RegionCentres]
    }
    public struct Products: Codable, Sendable, Equatable {
        public var total: Int
        public var online: Int
        public var byCategory: [NamedCount]
        public var onlineByCategory: [NamedCount]
        public var byRegion: [NamedCount]
    }
    public struct Sales: Codable, Sendable, Equatable {
        public var count: Int
        public var amountIdr: Int64
        public var feeIdr: Int64
        public var centresSelling: Int
    }
    public struct Trainings: Codable, Sendable, Equatable {
        public var count: Int
        public var participants: Int
        public var women: Int
        public var byTargetGroup: [NamedCount]
        public var byTopic: [NamedCount]
        public var byMonth: [MonthFigures]
    }
    public struct Monitoring: Codable, Sendable, Equatable {
        /// Centres with at least one survey.
        public var surveyed: Int
        /// Classification of each centre's latest survey.
        public var distribution: [NamedCount]
    }

    public var generatedMs: Int64
    public var network: String
    public var filter: [String: String]
    public var centres: Centres
    public var products: Products
    public var sales: Sales
    public var trainings: Trainings
    public var monitoring: Monitoring
    public var activities: [NamedCount]
}

public struct Page<Item: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var items: [Item]
    public var page: Int
    public var perPage: Int
    public var total: Int
}

public struct CentreRow: Codable, Sendable, Equatable {
    public var node: String
    public var name: String
    public var type: String?
    public var role: String?
    public var region: String
    public var provinsi: String?
    public var kabupaten: String?
    public var kecamatan: String?
    public var desa: String?
    public var address: String?
    public var lat: Double?
    public var lon: Double?
    public var lastHeardMs: Int64?
    public var entries: UInt64
    public var entriesBehind: UInt64
    public var products: Int
    public var productsOnline: Int
    public var salesIdr: Int64
    public var feesIdr: Int64
    public var trainings: Int
    public var latestClassification: String?
    public var latestSurveyDate: String?
    /// `lastHeardMs` is the later of these: heard from over the network, and by bundle (a stick).
    public var lastHeardNetworkMs: Int64? = nil
    public var lastBundleMs: Int64? = nil
    /// The rest of the centre's profile.
    public var phone: String? = nil
    public var email: String? = nil
    public var openingHours: String? = nil
    public var services: [String] = []
    public var expertise: [String] = []
}

public struct ProductRow: Codable, Sendable, Equatable {
    public var author: String
    public var centre: String
    public var region: String
    public var key: String
    public var name: String
    public var category: String
    public var priceIdr: Int64?
    public var unit: String?
    public var producer: String?
    public var available: Bool
    public var online: Bool
    public var links: [String]
    /// The first of `photos`.
    public var photo: String?
    public var description: String? = nil
    public var producerContact: String? = nil
    /// Every photo's SHA-256, in the record's order.
    public var photos: [String] = []
}

public struct SaleRow: Codable, Sendable, Equatable {
    public var author: String
    public var centre: String
    public var region: String
    public var key: String
    public var product: String
    public var date: String
    public var quantity: Int64
    public var amountIdr: Int64
    public var feeIdr: Int64
    public var channel: String
}

public struct TrainingRow: Codable, Sendable, Equatable {
    public var author: String
    public var centre: String
    public var region: String
    public var key: String
    public var title: String
    public var topic: String
    public var start: String
    public var place: String?
    public var trainers: [String]
    public var women: Int64
    public var men: Int64
    public var participants: Int64
    public var targetGroups: [String: Int64]
    /// The first of `photos`.
    public var photo: String?
    /// The last day, when the training took more than one.
    public var end: String? = nil
    public var photos: [String] = []
}

public struct MonitoringRow: Codable, Sendable, Equatable {
    public var author: String
    public var key: String
    public var subject: String
    public var subjectName: String
    public var region: String
    public var date: String
    public var period: String
    public var assessor: String
    public var classification: String
    /// The average of the six scores.
    public var score: Double
    public var notes: String?
    /// The first of `photos`.
    public var photo: String?
    /// Each criterion's score (Vocabulary.scoreCriteria), 1-5.
    public var scores: [String: Double] = [:]
    /// Where the visit took place.
    public var lat: Double? = nil
    public var lon: Double? = nil
    public var photos: [String] = []
}

public struct ActivityRow: Codable, Sendable, Equatable {
    public var author: String
    public var centre: String
    public var region: String
    public var key: String
    public var type: String
    public var title: String
    public var date: String
    public var count: Int64
    public var group: String?
    public var place: String? = nil
}

public struct RankRow: Codable, Sendable, Equatable {
    public var name: String
    public var centre: String?
    public var node: String?
    public var value: Double
}

public struct Awards: Codable, Sendable, Equatable {
    public var year: String
    public var trainers: [RankRow]
    public var trainings: [RankRow]
    public var content: [RankRow]
    public var ictDeployments: [RankRow]
}

/// Filters and paging of the list views.
public struct ViewFilter: Sendable, Equatable {
    /// A kabupaten/kota or a provinsi.
    public var region: String?
    /// "2026" or "2026-11".
    public var period: String?
    /// Product category, training topic or activity type.
    public var category: String?
    public var page = 1
    public var perPage = 50
    /// False for every matching row at once (CSV exports, the overview):
    /// `page` and `perPage` are then ignored.
    public var isPaged = true

    /// The highest page number taken as asked; a higher one is this one
    /// (an empty page on any real network).
    public static let maxPage = 1_000_000
    /// The most rows one page of the JSON lists or the dashboard holds.
    public static let maxPerPage = 1000

    public init(region: String? = nil, period: String? = nil, category: String? = nil, page: Int = 1, perPage: Int = 50) {
        self.region = region
        self.period = period
        self.category = category
        self.page = min(max(1, page), Self.maxPage)
        self.perPage = max(1, perPage)
    }

    /// "YYYY" or "YYYY-MM": periods are matched as prefixes of dates, so
    /// anything else (e.g. "2026-1") would select the wrong months.
    public static func isValidPeriod(_ text: String) -> Bool {
        text.wholeMatch(of: /[0-9]{4}(-(0[1-9]|1[0-2]))?/) != nil
    }

    /// The same selection, every row at once.
    public var unpaged: ViewFilter {
        var f = self
        f.page = 1
        f.isPaged = false
        return f
    }

    public var offset: Int { Self.offset(page: page, perPage: perPage) }

    /// Rows before a page; `Int.max` rather than a trap when the product
    /// does not fit (no list is that long).
    public static func offset(page: Int, perPage: Int) -> Int {
        let (rows, overflow) = (max(1, page) - 1).multipliedReportingOverflow(by: max(1, perPage))
        return overflow ? .max : rows
    }

    var description: [String: String] {
        var d: [String: String] = [:]
        if let region { d["region"] = region }
        if let period { d["period"] = period }
        if let category { d["category"] = category }
        return d
    }
}
