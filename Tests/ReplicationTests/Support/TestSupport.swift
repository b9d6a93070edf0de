import TestSupport

// The helpers every test target shares live in the TestSupport target;
// these names make them read as before in this target's files.
typealias TemporaryDirectory = TestSupport.TemporaryDirectory
