import ArgumentParser
import Foundation
import NodeRuntime
import Replication

/// Exit codes: 0 ok, 1 failure, 2 usage error, 3 daemon not running
/// (status), 64 an argument is not UTF-8 text, 78 the config file or data
/// directory is wrong (as tcnoded exits).
@main
struct CLI {
    static func main() async {
        do {
            try ArgumentBytes.check(CommandLine.unsafeArgv, count: Int(CommandLine.argc))
            if let unknown = CommandWords.unknownSubcommand(in: CommandLine.arguments) {
                throw Failure(message: unknown, code: 2)
            }
            var command = try TCNode.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(with: error)
        }
    }

    static func exit(with error: Error) -> Never {
        switch error {
        case let failure as Failure:
            note("tcnode: \(failure.message)")
            Foundation.exit(failure.code)
        case let code as ExitCode:
            Foundation.exit(code.rawValue)
        default:
            switch TCNode.exitCode(for: error) {
            case .success:
                // --help, --version
                say(CommandWords.parserText(TCNode.fullMessage(for: error)))
                Foundation.exit(0)
            case .validationFailure:
                note(CommandWords.parserText(TCNode.fullMessage(for: error)))
                Foundation.exit(2)
            default:
                note("tcnode: \(ErrorText.plain(error, language: .current))")
                Foundation.exit(1)
            }
        }
    }
}

/// A failure to report to the operator, with its exit code. Printed as its
/// message wherever it ends up, never as Swift's `Failure(message:...)`.
struct Failure: Error, CustomStringConvertible {
    /// A write refused because tcnoded holds the data directory (a caller
    /// that can ask the daemon instead may still do so).
    var daemonHoldsDirectory = false
    let message: String
    var code: Int32 = 1

    var description: String { message }
}

struct TCNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcnode",
        abstract: tr("Operate a tcnode telecenter node.", "Mengoperasikan node telecenter tcnode."),
        discussion: tr("The data directory is --data-dir, else $TCNODE_DATA_DIR, else /var/lib/tcnode. Add --lang id for Bahasa Indonesia.",
                       "Direktori data adalah --data-dir, lalu $TCNODE_DATA_DIR, lalu /var/lib/tcnode. Tambahkan --lang en untuk bahasa Inggris."),
        version: TCNodeVersion.current,
        subcommands: [
            Init.self, ID.self, Put.self, Get.self, Delete.self, List.self, Log.self, Admit.self, Revoke.self, Members.self, ResetSync.self, Check.self, Status.self, GenerateDemo.self,
            ProductCommand.self, SaleCommand.self, TrainingCommand.self, MonitorCommand.self, ActivityCommand.self, ProfileCommand.self,
            BundleCommand.self,
        ])

    /// `tcnode --lang id <command>`: the language is read from the arguments
    /// before parsing (`Language.current`); this only lets it stand here.
    @OptionGroup var languageOptions: LanguageOptions
}
