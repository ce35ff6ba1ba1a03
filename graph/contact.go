package graph

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ContactKey identifies a phone number without being one: an opaque,
// already-hashed key that the host derives from a normalised number (for
// example an HMAC with a secret the host keeps). The SDK only compares keys;
// it never sees, stores or needs a raw number.
type ContactKey string

// MaxContactKeyLen is the longest contact key, in bytes: far more than any
// hash needs, and short enough for every store to index.
const MaxContactKeyLen = 512

// CheckContactKey returns nil for a key every store can hold, and otherwise
// an error wrapping [ErrInvalidKey] (empty, longer than [MaxContactKeyLen],
// not UTF-8, or holding a NUL byte, which databases refuse in text) or
// [ErrRawNumber] (only digits and + - ( ) . and spaces, with at least 7
// digits: a phone number rather than a hash). Hosts must hash numbers
// before they reach the SDK; this catches the mistake of passing them raw.
func CheckContactKey(k ContactKey) error {
	switch {
	case k == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(k) > MaxContactKeyLen:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidKey, len(k), MaxContactKeyLen)
	case !utf8.ValidString(string(k)):
		return fmt.Errorf("%w: not UTF-8", ErrInvalidKey)
	case strings.IndexByte(string(k), 0) >= 0:
		return fmt.Errorf("%w: a NUL byte", ErrInvalidKey)
	}
	digits := 0
	for _, r := range string(k) {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-(). ", r):
		default:
			return nil
		}
	}
	if digits >= 7 {
		return ErrRawNumber
	}
	return nil
}
