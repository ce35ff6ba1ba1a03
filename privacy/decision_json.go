package privacy

import "encoding/json"

// MarshalText implements [encoding.TextMarshaler]: deny, allow or invite.
func (o GroupOutcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; unknown names are
// errors, and o is unchanged on error.
func (o *GroupOutcome) UnmarshalText(text []byte) error {
	v, err := ParseGroupOutcome(string(text))
	if err == nil {
		*o = v
	}
	return err
}

// groupDecisionJSON is GroupDecision with JSON keys.
type groupDecisionJSON struct {
	Outcome GroupOutcome `json:"outcome"`
	Reason  Reason       `json:"reason"`
	View    View         `json:"view"`
	Rule    string       `json:"rule,omitempty"`
}

// MarshalJSON encodes d as {"outcome":"invite","reason":"group_invite",
// "view":"allowed"}, with "rule" when a host's gate or audience decided.
func (d GroupDecision) MarshalJSON() ([]byte, error) {
	return json.Marshal(groupDecisionJSON(d))
}

// UnmarshalJSON decodes what MarshalJSON encodes; d is unchanged on error.
func (d *GroupDecision) UnmarshalJSON(data []byte) error {
	var j groupDecisionJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*d = GroupDecision(j)
	return nil
}
