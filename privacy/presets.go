package privacy

import (
	"fmt"
	"slices"
	"strings"
)

// presets maps each preset's name to its constructor.
var presets = map[string]func() *Policy{
	"tiktok": TikTok,
}

// PolicyByName returns a fresh copy of the preset with the given name, as
// scenario files and configuration name them ("tiktok").
func PolicyByName(name string) (*Policy, error) {
	if f, ok := presets[name]; ok {
		return f(), nil
	}
	return nil, fmt.Errorf("privacy: unknown policy %q (want one of %s)", name, strings.Join(PresetNames(), ", "))
}

// PresetNames returns the names of the built-in presets, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
