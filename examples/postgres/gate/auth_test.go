package gate_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/examples/postgres/gate"
)

var (
	userSecret    = []byte("user-secret-of-at-least-32-bytes!!")
	backendSecret = []byte("backend-secret-of-at-least-32-bytes")
	now           = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func claims(sub string) jwt.RegisteredClaims {
	return jwt.RegisteredClaims{Subject: sub, Issuer: "https://login.example", Audience: jwt.ClaimStrings{"dmgate"},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}
}

func sign(t testing.TB, m jwt.SigningMethod, key any, c jwt.Claims) string {
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	return s
}

func mustKey(k gate.Key, err error) gate.Key {
	if err != nil {
		panic(err)
	}
	return k
}

func TestJWT(t *testing.T) {
	t.Parallel()
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	rsaPriv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&rsaPriv.PublicKey)
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	j := &gate.JWT{
		UserKeys:    []gate.Key{mustKey(gate.HS256Key(userSecret)), mustKey(gate.PublicKey(edPub))},
		BackendKeys: []gate.Key{mustKey(gate.HS256Key(backendSecret)), mustKey(gate.ParseKey(rsaPEM))},
		Issuer:      "https://login.example", Audience: "dmgate",
		Now: func() time.Time { return now },
	}
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
	hs := jwt.SigningMethodHS256
	with := func(f func(*jwt.RegisteredClaims)) jwt.RegisteredClaims {
		c := claims("42")
		f(&c)
		return c
	}
	tests := []struct {
		name, header string
		want         gate.Principal // zero: refused
	}{
		{"user HS256", "Bearer " + sign(t, hs, userSecret, claims("42")), gate.Principal{User: 42, Caller: "user:42"}},
		{"user EdDSA", "Bearer " + sign(t, jwt.SigningMethodEdDSA, edPriv, claims("-7")), gate.Principal{User: -7, Caller: "user:-7"}},
		{"back end HS256", "Bearer " + sign(t, hs, backendSecret, claims("billing")), gate.Principal{Backend: true, Caller: "billing"}},
		{"back end RS256", "Bearer " + sign(t, jwt.SigningMethodRS256, rsaPriv, claims("search")), gate.Principal{Backend: true, Caller: "search"}},
		{"scheme is case-insensitive", "bearer " + sign(t, hs, userSecret, claims("42")), gate.Principal{User: 42, Caller: "user:42"}},
		{"no header", "", gate.Principal{}},
		{"basic auth", "Basic dXNlcjpwYXNz", gate.Principal{}},
		{"garbage", "Bearer abc.def.ghi", gate.Principal{}},
		{"unknown secret", "Bearer " + sign(t, hs, []byte("another-secret-of-at-least-32-bytes"), claims("42")), gate.Principal{}},
		{"alg none", "Bearer " + sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("42")), gate.Principal{}},
		{"HS256 signed with the RSA public key", "Bearer " + sign(t, hs, rsaPEM, claims("search")), gate.Principal{}},
		{"expired", "Bearer " + sign(t, hs, userSecret, with(func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) })), gate.Principal{}},
		{"no exp", "Bearer " + sign(t, hs, userSecret, with(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })), gate.Principal{}},
		{"not yet valid", "Bearer " + sign(t, hs, userSecret, with(func(c *jwt.RegisteredClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Minute)) })), gate.Principal{}},
		{"issued in the future", "Bearer " + sign(t, hs, userSecret, with(func(c *jwt.RegisteredClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) })), gate.Principal{}},
		{"wrong audience", "Bearer " + sign(t, hs, userSecret, with(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"other"} })), gate.Principal{}},
		{"wrong issuer", "Bearer " + sign(t, hs, userSecret, with(func(c *jwt.RegisteredClaims) { c.Issuer = "https://evil.example" })), gate.Principal{}},
		{"user subject not an ID", "Bearer " + sign(t, hs, userSecret, claims("alice")), gate.Principal{}},
		{"back end without subject", "Bearer " + sign(t, hs, backendSecret, claims("")), gate.Principal{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/v1/settings/42", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			got, err := j.Authenticate(r)
			if tt.want == (gate.Principal{}) {
				if !errors.Is(err, gate.ErrUnauthenticated) {
					t.Errorf("Authenticate = %+v, %v; want gate.ErrUnauthenticated", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Authenticate (-want +got):\n%s", d)
			}
		})
	}
}

func TestJWTCheck(t *testing.T) {
	t.Parallel()
	k := mustKey(gate.HS256Key(userSecret))
	tests := map[string]*gate.JWT{
		"no keys":         {Issuer: "i", Audience: "a"},
		"no issuer":       {UserKeys: []gate.Key{k}, Audience: "a"},
		"one key as both": {UserKeys: []gate.Key{k}, BackendKeys: []gate.Key{k}, Issuer: "i", Audience: "a"},
	}
	for name, j := range tests {
		if err := j.Check(); err == nil {
			t.Errorf("%s: Check accepted it", name)
		}
	}
	if _, err := gate.HS256Key([]byte("short")); err == nil {
		t.Error("HS256Key accepted a 5-byte secret")
	}
	if _, err := gate.ParseKey([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")); err == nil {
		t.Error("ParseKey accepted a private key")
	}
}

// A user's token acts as the user its subject names; a back end's, as
// itself for anyone.
func ExampleJWT() {
	j := &gate.JWT{
		UserKeys:    []gate.Key{mustKey(gate.HS256Key(userSecret))},
		BackendKeys: []gate.Key{mustKey(gate.HS256Key(backendSecret))},
		Issuer:      "https://login.example",
		Audience:    "dmgate",
		Now:         func() time.Time { return now },
	}
	for _, tok := range []string{
		sign(nil, jwt.SigningMethodHS256, userSecret, claims("42")),
		sign(nil, jwt.SigningMethodHS256, backendSecret, claims("billing")),
	} {
		r := httptest.NewRequest("POST", "/v1/check", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		p, err := j.Authenticate(r)
		fmt.Println(p.Caller, p.Backend, err)
	}
	// Output:
	// user:42 false <nil>
	// billing true <nil>
}
