import Logging
import Replication
import ServiceLifecycle

/// Runs benchmark nodes' services around `body`, stops them gracefully
/// afterwards (also when `body` throws), then closes their stores.
func withBenchServices<T: Sendable>(_ services: [any Service], stores: [Store],
                                    _ body: @Sendable () async throws -> T) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [],
                                                  logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })))
    let value = try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let value: T
        do { value = try await body() } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return value
    }
    for store in stores { try await OffPool.run { try store.close() } }
    return value
}
