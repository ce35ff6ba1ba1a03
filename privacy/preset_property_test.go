package privacy_test

import (
	"testing"

	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

// The rules every policy keeps — blocks deny, the minimum age, the minor
// rule, the sender view and the no-leak rule, fail closed, determinism, the
// mode ladder, one decision function — are checked by the policy kit,
// package privacytest: the same kit hosts run over their own policies,
// so the kit is what the engine's own tests trust. See its package
// documentation for how each rule is checked.

// TestPresetsKeepTheRules runs the policy kit over every preset.
func TestPresetsKeepTheRules(t *testing.T) {
	t.Parallel()
	for _, name := range privacy.PresetNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, _ := privacy.PolicyByName(name)
			privacytest.CheckPolicy(t, p, nil)
		})
	}
}

// TestCustomPoliciesKeepTheRules runs the policy kit over custom policies
// derived from each preset the way a host derives one (privacytest's
// CustomPolicy): other ages and flags, gates, and audiences routed to the
// chats, to requests or refused. Nothing a policy adds lets a blocked
// sender through, reaches an age the policy forbids, or shows what the
// recipient hides.
func TestCustomPoliciesKeepTheRules(t *testing.T) {
	t.Parallel()
	for i, name := range privacy.PresetNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base, _ := privacy.PolicyByName(name)
			privacytest.CheckPolicy(t, privacytest.CustomPolicy(base).Example(i), nil)
		})
	}
}
