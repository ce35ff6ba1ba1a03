package inbox

import "testing"

func TestFolderTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range []Folder{NoFolder, Primary, Requests} {
		text, err := f.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText: %v", f, err)
		}
		got := Folder(99)
		if err := got.UnmarshalText(text); err != nil || got != f {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v, nil", text, got, err, f)
		}
	}
	for _, bad := range []string{"", "Primary", "inbox", "Folder(3)"} {
		got := Requests
		if err := got.UnmarshalText([]byte(bad)); err == nil || got != Requests {
			t.Errorf("UnmarshalText(%q) = %v, %v; want an error and the folder unchanged", bad, got, err)
		}
	}
}
