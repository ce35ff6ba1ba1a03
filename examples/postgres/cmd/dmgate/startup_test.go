package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// TestRefusesToStartOpen: without credentials to check dmgate does not
// start, and -insecure-no-auth starts only on loopback, warning loudly.
func TestRefusesToStartOpen(t *testing.T) {
	url := pgtest.SchemaURL(t)
	dir := t.TempDir()
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys := keyFiles(t)
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"no credentials", nil, "no credentials configured"},
		{"insecure beyond loopback", []string{"-insecure-no-auth", "-listen", "0.0.0.0:0"}, "only on a loopback address"},
		{"insecure with keys", append([]string{"-insecure-no-auth"}, keys...), "together with credentials"},
		{"a short secret", []string{"-user-keys", short, "-jwt-issuer", "x"}, "use at least 32"},
		{"keys without an issuer", []string{"-user-keys", keys[1]}, "needs an issuer"},
		{"one key for users and back ends", []string{"-user-keys", keys[1], "-backend-keys", keys[1], "-jwt-issuer", "x"}, "both a user key and a back-end key"},
		{"client CA without TLS", []string{"-client-ca", keys[1]}, "-client-ca needs -tls-cert"},
	}
	for _, tt := range tests {
		var log syncBuffer
		args := append([]string{"-listen", "127.0.0.1:0", "-database-url", url, "-migrate=false"}, tt.args...)
		if code := run(context.Background(), args, func(string) string { return "" }, &log); code != 2 || !strings.Contains(log.String(), tt.want) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", tt.name, code, log.String(), tt.want)
		}
	}

	g := start(t, url, "-insecure-no-auth", "-user-keys", "", "-backend-keys", "")
	if !strings.Contains(g.log.String(), `"level":"WARN","msg":"AUTHENTICATION IS OFF`) {
		t.Errorf("-insecure-no-auth does not warn:\n%s", g.log.String())
	}
	client{t, g.base, ""}.want("PUT", "/v1/users/1", `{"status":"active","birth":"1990-01-01"}`, http.StatusNoContent, nil)
}
