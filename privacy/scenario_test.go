package privacy_test

import (
	"testing"

	"github.com/dmprivacy/dmprivacy/privacy/scenario/scenariotest"
)

// TestScenarioLibrary runs the scenario library in testdata/*.dm: the
// decision table row by row, the routing table cell by cell, blocks and
// restrict, minors, conversations, request caps, account status and the
// TikTok story. Each check is a subtest named by file and line.
func TestScenarioLibrary(t *testing.T) {
	scenariotest.Run(t, "testdata/*.dm")
}
