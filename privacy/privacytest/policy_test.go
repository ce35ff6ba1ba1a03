package privacytest_test

import (
	"testing"

	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

// TestPolicyKit runs the policy kit over every preset: the rules hold for
// the SDK's own policies. Its time at the default number of checks is the
// kit's budget: under 30 seconds for the six presets on two cores.
func TestPolicyKit(t *testing.T) {
	t.Parallel()
	for _, name := range privacy.PresetNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, _ := privacy.PolicyByName(name)
			privacytest.CheckPolicy(t, p, nil)
		})
	}
}
