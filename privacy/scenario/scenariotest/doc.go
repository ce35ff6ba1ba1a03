// Package scenariotest runs scenario files (.dm) as Go tests, so a host app
// pins its policy in go test:
//
//	func TestScenarios(t *testing.T) {
//		scenariotest.Run(t, "testdata/*.dm")
//	}
//
// Each check becomes a subtest named by file and line ("story.dm:42"), so
// go test -run 'TestScenarios/story.dm:42' reruns one check; a failure
// shows the statement, the expected and the actual decision, and the
// engine's trace. A bad file fails the test with the file, line and token.
//
// [RunWith] takes [scenario.Options]: a host resolves policy names to its
// own policy, or runs the files on its own stores through an Env factory.
package scenariotest
