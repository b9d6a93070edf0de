import Foundation
import HubViews
import NodeRuntime
import TestSupport
import Testing

/// `views_store` and `views_password_file` in tcnode.toml, and the
/// PostgreSQL location they make: the password comes from the file or the
/// environment and is never shown; a password in the URL is refused.
@Suite struct ViewsStoreConfigTests {
    @Test func theSettingsParseAndRefuseAPasswordInTheURL() throws {
        let ok = try NodeConfig.parse("""
            views_store = "postgresql://tcnode_views@db.example.internal:5433/views?schema=hub"
            views_password_file = "/etc/tcnode/views-password"
            """, path: "t.toml")
        #expect(ok.viewsStore == "postgresql://tcnode_views@db.example.internal:5433/views?schema=hub")
        #expect(ok.viewsPasswordFile == "/etc/tcnode/views-password")
        #expect(try NodeConfig.parse(#"views_store = "sqlite""#, path: "t.toml").viewsStore == nil)
        #expect(try NodeConfig.parse(#"views_store = "postgresql://db.example.internal:5433/views""#, path: "t.toml").viewsStore
                == "postgresql://db.example.internal:5433/views")
        for (text, option, words) in [
            (#"views_store = "postgresql://u:secret@h/db""#, "views_store", "must not hold the password"),
            (#"views_store = "postgres://u:secret@h/db""#, "views_store", "must not hold the password"),
            (#"views_store = "mysql://u@h/db""#, "views_store", "postgresql://"),
            (#"views_password_file = "relative/file""#, "views_password_file", "absolute"),
        ] {
            do {
                _ = try NodeConfig.parse(text, path: "t.toml")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.option == option && error.problem.contains(words) && !error.description.contains("secret"), "\(error)")
            }
        }
    }

    @Test func theLocationTakesThePasswordFromTheFileOrTheEnvironmentAndNeverShowsIt() throws {
        let dir = TemporaryDirectory("tcviewsstore")
        let file = dir.file("pw")
        try "s3cret-from-file\nignored\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try PostgresViewsLocation.parse("postgresql://tv@10.1.2.3:6432/views?schema=hub", passwordFile: file,
                                                      environment: ["PGPASSWORD": "from-env"])
        #expect(fromFile.password == "s3cret-from-file" && fromFile.passwordSource == "views_password_file \(file)")
        #expect(fromFile.host == "10.1.2.3" && fromFile.port == 6432 && fromFile.database == "views" && fromFile.schema == "hub")
        #expect(fromFile.sslmode == .prefer && "\(fromFile)" == "postgresql://tv@10.1.2.3:6432/views?schema=hub")
        let fromEnv = try PostgresViewsLocation.parse("postgres://tv@127.0.0.1/views", passwordFile: nil, environment: ["PGPASSWORD": "e"])
        #expect(fromEnv.password == "e" && fromEnv.passwordSource == "PGPASSWORD" && fromEnv.port == 5432 && fromEnv.sslmode == .disable)
        for bad in ["postgresql://tv:pw@h/db", "postgresql://h/db", "postgresql://tv@h/", "postgresql://tv@h/db?colour=red",
                    "postgresql://tv@h/db?schema=Bad-Name"] {
            #expect(throws: PostgresViewsLocation.Error.self) { _ = try PostgresViewsLocation.parse(bad, passwordFile: nil, environment: [:]) }
        }
        do {
            _ = try PostgresViewsLocation.parse("postgresql://tv@h/db", passwordFile: dir.file("missing"), environment: [:])
            Issue.record("a missing password file was accepted")
        } catch {
            #expect("\(error)".contains("views_password_file"))
        }
    }
}
