package inbox

import "fmt"

// UnmarshalText implements [encoding.TextUnmarshaler]: it reads what
// [Folder.MarshalText] writes, none (a denied message) included, so a
// decision encoded as JSON decodes to the same value. Unknown names are
// errors, and f is unchanged on error.
func (f *Folder) UnmarshalText(text []byte) error {
	for i, n := range folderNames {
		if n == string(text) {
			*f = Folder(i)
			return nil
		}
	}
	return fmt.Errorf("inbox: unknown folder %q (want none, primary or requests)", text)
}
