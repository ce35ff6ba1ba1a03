package gate

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Principal is who a request acts as.
type Principal struct {
	// User is the end user a user credential acts as; zero for a back end.
	User int64

	// Backend is true for a trusted back-end caller, who may act for any
	// user.
	Backend bool

	// Caller names the caller in logs: "user:42", or the back end's name
	// (its token's subject or its certificate's common name).
	Caller string
}

// may reports whether p may act as user id.
func (p Principal) may(id int64) bool { return p.Backend || p.User == id }

// Authenticator says who sent a request. Authenticate returns an error
// wrapping [ErrUnauthenticated] when the request carries no credential or
// one that does not verify.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

// AuthenticatorFunc adapts a function to an [Authenticator].
type AuthenticatorFunc func(r *http.Request) (Principal, error)

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) (Principal, error) { return f(r) }

// ErrUnauthenticated is wrapped by every authentication failure: a missing
// credential, or one that does not verify. The gate answers 401.
var ErrUnauthenticated = errors.New("gate: unauthenticated")

// errNoCredential is a request without any credential.
var errNoCredential = fmt.Errorf("%w: no credential; send Authorization: Bearer <token>", ErrUnauthenticated)

// Key is one key that verifies tokens: an HMAC secret (HS256) or a public
// key (RS256, ES256 or EdDSA). Each key verifies only its own algorithm.
type Key struct {
	alg string
	key any
}

// Alg returns the one algorithm the key verifies: HS256, RS256, ES256 or
// EdDSA.
func (k Key) Alg() string { return k.alg }

// MinSecret is the fewest bytes of an HS256 secret.
const MinSecret = 32

// HS256Key returns a key for tokens signed with the shared secret, at
// least [MinSecret] bytes.
func HS256Key(secret []byte) (Key, error) {
	if len(secret) < MinSecret {
		return Key{}, fmt.Errorf("gate: an HS256 secret of %d bytes; use at least %d random bytes", len(secret), MinSecret)
	}
	return Key{alg: jwt.SigningMethodHS256.Alg(), key: bytes.Clone(secret)}, nil
}

// PublicKey returns a key for tokens signed with the private half of pub:
// an *rsa.PublicKey (RS256, 2048 bits or more), an *ecdsa.PublicKey on
// P-256 (ES256) or an ed25519.PublicKey (EdDSA).
func PublicKey(pub crypto.PublicKey) (Key, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return Key{}, fmt.Errorf("gate: an RSA key of %d bits; use at least 2048", k.N.BitLen())
		}
		return Key{alg: jwt.SigningMethodRS256.Alg(), key: k}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return Key{}, fmt.Errorf("gate: an ECDSA key on %s; ES256 needs P-256", k.Curve.Params().Name)
		}
		return Key{alg: jwt.SigningMethodES256.Alg(), key: k}, nil
	case ed25519.PublicKey:
		return Key{alg: jwt.SigningMethodEdDSA.Alg(), key: k}, nil
	}
	return Key{}, fmt.Errorf("gate: unsupported public key type %T", pub)
}

// ParseKey reads a key file's contents: a PEM "PUBLIC KEY" block (PKIX:
// RSA, ECDSA P-256 or Ed25519) or, for anything else, an HS256 secret (the
// file's bytes, less a trailing newline).
func ParseKey(data []byte) (Key, error) {
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "PUBLIC KEY" {
			return Key{}, fmt.Errorf("gate: a PEM %q block; want a PUBLIC KEY (never give the gate a private key)", block.Type)
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return Key{}, fmt.Errorf("gate: %w", err)
		}
		return PublicKey(pub)
	}
	return HS256Key(bytes.TrimRight(data, "\r\n"))
}

// JWT authenticates requests by a bearer token (RFC 7519) signed with one
// of its keys. A token signed with a user key acts as the user its "sub"
// claim names (a decimal int64 ID); one signed with a back-end key is a
// back end named by its "sub", who may act for anyone. Every token must
// carry "exp", and "iss" and "aud" must match; "nbf" and "iat" are checked
// when present, with a small leeway for clock skew. The algorithm is
// pinned by the key: a token verifies only with a key of its own
// algorithm, so an HS256 token can never be checked against a public key.
//
// Several keys of a kind may be configured at once: that is how keys
// rotate (add the new key, move the issuers to it, remove the old one).
type JWT struct {
	// UserKeys verify end users' tokens; BackendKeys verify back ends'.
	// A key must not be in both.
	UserKeys, BackendKeys []Key

	// Issuer and Audience are the required "iss" and "aud".
	Issuer, Audience string

	// Leeway is the clock skew allowed on exp, nbf and iat; zero means 30
	// seconds.
	Leeway time.Duration

	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Check refuses a JWT configuration that would accept nothing, or accept
// too much.
func (j *JWT) Check() error {
	switch {
	case len(j.UserKeys)+len(j.BackendKeys) == 0:
		return errors.New("gate: JWT without keys")
	case j.Issuer == "" || j.Audience == "":
		return errors.New("gate: JWT needs an issuer and an audience")
	}
	for _, u := range j.UserKeys {
		for _, b := range j.BackendKeys {
			if u.alg == b.alg && keyEqual(u.key, b.key) {
				return errors.New("gate: a key is both a user key and a back-end key; a user's token would act for anyone")
			}
		}
	}
	return nil
}

func keyEqual(a, b any) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if x, ok := a.([]byte); ok {
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	if x, ok := a.(equaler); ok {
		return x.Equal(b)
	}
	return false
}

// claims are the token's registered claims.
type claims = jwt.RegisteredClaims

// Authenticate verifies the request's bearer token.
func (j *JWT) Authenticate(r *http.Request) (Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Principal{}, errNoCredential
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return Principal{}, fmt.Errorf("%w: the Authorization header is not a Bearer token", ErrUnauthenticated)
	}
	if p, err := j.verify(tok, j.BackendKeys); err == nil {
		if p.Caller == "" {
			return Principal{}, fmt.Errorf("%w: a back-end token without a subject", ErrUnauthenticated)
		}
		return Principal{Backend: true, Caller: p.Caller}, nil
	}
	p, err := j.verify(tok, j.UserKeys)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	id, err := strconv.ParseInt(p.Caller, 10, 64)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: the token's subject is not a user ID", ErrUnauthenticated)
	}
	return Principal{User: id, Caller: "user:" + p.Caller}, nil
}

// verify returns the token's subject as Caller if one of keys verifies it.
func (j *JWT) verify(tok string, keys []Key) (Principal, error) {
	if len(keys) == 0 {
		return Principal{}, errors.New("no keys of this kind")
	}
	algs := make([]string, 0, 4)
	for _, k := range keys {
		algs = append(algs, k.alg)
	}
	leeway := j.Leeway
	if leeway == 0 {
		leeway = 30 * time.Second
	}
	now := j.Now
	if now == nil {
		now = time.Now
	}
	parser := jwt.NewParser(jwt.WithValidMethods(algs), jwt.WithIssuer(j.Issuer), jwt.WithAudience(j.Audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(leeway), jwt.WithTimeFunc(now))
	var c claims
	_, err := parser.ParseWithClaims(tok, &c, func(t *jwt.Token) (any, error) {
		set := jwt.VerificationKeySet{}
		for _, k := range keys {
			if k.alg == t.Method.Alg() {
				set.Keys = append(set.Keys, k.key)
			}
		}
		return set, nil
	})
	if err != nil {
		return Principal{}, err
	}
	return Principal{Caller: c.Subject}, nil
}

// Certificates authenticates back ends by TLS client certificate: a
// request whose connection presented a certificate that verified against
// the server's client CAs (tls.Config.ClientCAs, with ClientAuth
// VerifyClientCertIfGiven or stricter) is a back end named by the
// certificate's common name. Other requests go to Next (nil: refused).
type Certificates struct {
	Next Authenticator
}

// Authenticate returns the back end of a verified client certificate, or
// asks Next.
func (c Certificates) Authenticate(r *http.Request) (Principal, error) {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.VerifiedChains[0]) > 0 {
		cn := r.TLS.VerifiedChains[0][0].Subject.CommonName
		if cn == "" {
			return Principal{}, fmt.Errorf("%w: a client certificate without a common name", ErrUnauthenticated)
		}
		return Principal{Backend: true, Caller: "cert:" + cn}, nil
	}
	if c.Next == nil {
		return Principal{}, fmt.Errorf("%w: no verified client certificate", ErrUnauthenticated)
	}
	return c.Next.Authenticate(r)
}
