import ArgumentParser
import Foundation
import HubViews
import NodeRuntime

/// tcnoded: reads its config, then runs the node until SIGTERM.
@main
struct TCNodeD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcnoded",
        abstract: "The tcnode telecenter node daemon.",
        discussion: "Normally started by systemd (tcnoded.service). Stop with SIGTERM; SIGHUP reloads the peer list.",
        version: TCNodeVersion.current)

    @Option(help: "Configuration file.") var config = NodeConfig.defaultPath

    func run() async throws {
        let settings: NodeConfig
        do {
            settings = try NodeConfig.load(path: config)
            try await settings.checkBindAddresses(path: config)
        } catch {
            FileHandle.standardError.write(Data("tcnoded: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG: systemd will not restart on a bad config loop
        }
        let registry = Daemon.bootstrap(level: settings.logLevel)
        do {
            try await Daemon.run(configPath: config, config: settings, views: HubViewsOpener(), registry: registry)
        } catch let error as Daemon.StartupError where error.isConfiguration {
            FileHandle.standardError.write(Data("tcnoded: \(error)\n".utf8))
            throw ExitCode(78)
        } catch {
            FileHandle.standardError.write(Data("tcnoded: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
