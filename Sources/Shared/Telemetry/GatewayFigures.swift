/// What `/metrics` reads at scrape time from the parts that keep it (feed counters, pipeline
/// progress, the publisher, the outbox watch, the database and broker links): one moment's
/// copy, handed to ``GatewayMetrics/exposition(of:)``.
public struct GatewayFigures: Sendable {
    /// One feed's figures; `name` is the `feed` label.
    public struct Feed: Sendable {
        public var name: String
        public var frames: Int64
        public var rejectedFrames: Int64
        public var skippedBytes: Int64
        public var refusedConnections: Int64
        public var reconnects: Int64
        public var openConnections: Int
        public var isUp: Bool
        public var silentSeconds: Double
        public var isStale: Bool
        /// A listening `tcp-listen` feed's `max_connections`, else 0.
        public var connectionSlots: Int = 0
        /// A pull feed's polls; nil for the other transports.
        public var pull: PullFigures? = nil

        /// The figures as read.
        public init(
            name: String, frames: Int64, rejectedFrames: Int64, skippedBytes: Int64, refusedConnections: Int64,
            reconnects: Int64, openConnections: Int, isUp: Bool, silentSeconds: Double, isStale: Bool
        ) {
            self.name = name
            self.frames = frames
            self.rejectedFrames = rejectedFrames
            self.skippedBytes = skippedBytes
            self.refusedConnections = refusedConnections
            self.reconnects = reconnects
            self.openConnections = openConnections
            self.isUp = isUp
            self.silentSeconds = silentSeconds
            self.isStale = isStale
        }
    }

    /// The running feeds; a feed left out here leaves the exposition.
    public var feeds: [Feed] = []
    public var committedFrames: Int64 = 0
    public var committedUpdates: Int64 = 0
    public var derivedEvents: Int64 = 0
    public var publishedMessages: Int64 = 0
    public var pendingMessages: Int = 0
    public var outboxRows: Int64 = 0
    public var outboxOldestAgeSeconds: Double = 0
    public var pipelineLagSeconds: Double = 0
    public var databaseUp = false
    public var databaseOutages: Int64 = 0
    public var brokerUp = false

    /// All zero, no feed: fill in what was read.
    public init() {}
}
