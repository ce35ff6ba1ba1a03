package inbox

import (
	"fmt"
	"strings"
)

// Mode is a user's answer to "who can send you direct messages": the name
// of a routing table that a policy defines (see [Table]). The zero value,
// [ModeDefault], means the user never chose, and the policy's default for
// their age band applies at each decision.
type Mode uint8

// Inbox modes. The first four are TikTok's, loosest first. The others are
// for the other presets, which also give modes their own names (Bluesky
// calls Everyone "all"); what each mode routes where is the policy's table.
const (
	ModeDefault        Mode = iota // never set: the policy's default for the user's age band
	Everyone                       // anyone: strangers' messages arrive as requests
	SuggestedFriends               // friends and recommended friends (synced contacts, Facebook)
	Friends                        // mutual followers only
	NoOne                          // nobody, not even in existing chats (TikTok)
	Following                      // people the user follows (Bluesky "following", X's "No one")
	Verified                       // people the user follows, and verified accounts as requests (X)
	FriendsAndContacts             // friends and people in the user's contacts (Snapchat)
)

// NumModes is the number of Mode values, for tables indexed by mode.
const NumModes = 8

var modeNames = [NumModes]string{"default", "everyone", "suggested", "friends", "noone", "following", "verified", "contacts"}

// String returns the mode's canonical text form: default, everyone,
// suggested, friends, noone, following, verified or contacts.
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Valid reports whether m is a defined mode (ModeDefault included).
func (m Mode) Valid() bool { return int(m) < NumModes }

// ParseMode returns the mode named by text, as written by [Mode.String].
// Names are case-sensitive; anything else is an error naming the choices.
func ParseMode(text string) (Mode, error) {
	for i, n := range modeNames {
		if n == text {
			return Mode(i), nil
		}
	}
	return ModeDefault, fmt.Errorf("inbox: unknown mode %q (want %s)", text, strings.Join(modeNames[1:], ", "))
}

// MarshalText implements [encoding.TextMarshaler].
func (m Mode) MarshalText() ([]byte, error) {
	if !m.Valid() {
		return nil, fmt.Errorf("inbox: invalid mode %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; unknown names are
// errors.
func (m *Mode) UnmarshalText(text []byte) error {
	v, err := ParseMode(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Modes is a set of modes.
type Modes uint16

// ModesOf returns the set holding ms.
func ModesOf(ms ...Mode) Modes {
	var s Modes
	for _, m := range ms {
		s |= 1 << m
	}
	return s
}

// Has reports whether m is in the set.
func (s Modes) Has(m Mode) bool { return m < 16 && s&(1<<m) != 0 }

// Folder is where a delivered message lands. The zero value, [NoFolder], is
// the folder of a message that is not delivered.
type Folder uint8

// Folders.
const (
	NoFolder Folder = iota // not delivered
	Primary                // the chats list
	Requests               // message requests, which the recipient accepts, declines or ignores
)

var folderNames = [...]string{"none", "primary", "requests"}

// String returns none, primary or requests.
func (f Folder) String() string {
	if int(f) < len(folderNames) {
		return folderNames[f]
	}
	return fmt.Sprintf("Folder(%d)", uint8(f))
}

// ParseFolder returns the folder named primary or requests.
func ParseFolder(text string) (Folder, error) {
	switch text {
	case "primary":
		return Primary, nil
	case "requests":
		return Requests, nil
	}
	return NoFolder, fmt.Errorf("inbox: unknown folder %q (want primary or requests)", text)
}

// MarshalText implements [encoding.TextMarshaler].
func (f Folder) MarshalText() ([]byte, error) { return []byte(f.String()), nil }
