package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/examples/postgres/gate"
)

// TestTokensVerify mints tokens with a secret and with a private key, and
// checks that dmgate's verifier takes them as the subject they name.
func TestTokensVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "backend.key")
	if err := os.WriteFile(secret, []byte("a-back-end-secret-of-32-bytes-or-more\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(dir, "user.pem")
	if err := os.WriteFile(private, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	backendKey, err := gate.HS256Key([]byte("a-back-end-secret-of-32-bytes-or-more"))
	if err != nil {
		t.Fatal(err)
	}
	userKey, err := gate.PublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	j := &gate.JWT{UserKeys: []gate.Key{userKey}, BackendKeys: []gate.Key{backendKey}, Issuer: "local", Audience: "dmgate",
		Now: func() time.Time { return now.Add(30 * time.Minute) }}
	tests := []struct {
		args []string
		want gate.Principal
	}{
		{[]string{"-key", secret, "-iss", "local", "-sub", "billing"}, gate.Principal{Backend: true, Caller: "billing"}},
		{[]string{"-key", private, "-iss", "local", "-sub", "42"}, gate.Principal{User: 42, Caller: "user:42"}},
	}
	for _, tt := range tests {
		var out, errs bytes.Buffer
		if code := run(tt.args, &out, &errs, func() time.Time { return now }); code != 0 {
			t.Fatalf("dmtoken %v: exit %d: %s", tt.args, code, errs.String())
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(out.String()))
		got, err := j.Authenticate(r)
		if err != nil {
			t.Fatalf("dmtoken %v: the token does not verify: %v", tt.args, err)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("dmtoken %v (-want +got):\n%s", tt.args, d)
		}
	}
	// A token past its -ttl does not verify.
	var out, errs bytes.Buffer
	if code := run([]string{"-key", secret, "-iss", "local", "-sub", "billing", "-ttl", "10m"}, &out, &errs, func() time.Time { return now }); code != 0 {
		t.Fatal(errs.String())
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(out.String()))
	if _, err := j.Authenticate(r); err == nil {
		t.Error("a token 30 minutes into a 10-minute lifetime verified")
	}
	if code := run([]string{"-key", secret, "-sub", "x"}, &out, &errs, time.Now); code != 2 {
		t.Errorf("without -iss: exit %d, want 2", code)
	}
}
