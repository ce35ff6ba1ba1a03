// Command dmtoken mints a signed token for dmgate, for local testing and
// for back ends that sign their own: a JWT with sub, iss, aud, iat and
// exp, signed with an HS256 secret file or a PEM private key (PKCS #8:
// RSA for RS256, P-256 for ES256, Ed25519 for EdDSA).
//
// Usage:
//
//	dmtoken -key FILE -iss ISSUER -sub SUBJECT [-aud dmgate] [-ttl 1h]
//
// The subject is a user ID for a token signed with one of dmgate's user
// keys, and the back end's name for one signed with a back-end key. In
// production, end users' tokens come from the host's own login service;
// dmtoken prints the token on standard output.
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dmprivacy/dmprivacy/examples/postgres/gate"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, time.Now)) }

func run(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("dmtoken", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("key", "", "HS256 secret file, or PEM private key (PKCS #8)")
	sub := fs.String("sub", "", "subject: a user ID, or a back end's name")
	iss := fs.String("iss", "", "issuer, as dmgate's -jwt-issuer")
	aud := fs.String("aud", "dmgate", "audience, as dmgate's -jwt-audience")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keyFile == "" || *sub == "" || *iss == "" || *ttl <= 0 {
		fmt.Fprintln(stderr, "dmtoken: -key, -sub and -iss are required, and -ttl must be positive")
		return 2
	}
	tok, err := mint(*keyFile, *sub, *iss, *aud, now(), *ttl)
	if err != nil {
		fmt.Fprintln(stderr, "dmtoken:", err)
		return 1
	}
	fmt.Fprintln(stdout, tok)
	return 0
}

func mint(keyFile, sub, iss, aud string, now time.Time, ttl time.Duration) (string, error) {
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return "", err
	}
	claims := jwt.RegisteredClaims{
		Subject: sub, Issuer: iss, Audience: jwt.ClaimStrings{aud},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	block, _ := pem.Decode(data)
	if block == nil {
		if _, err := gate.HS256Key(bytes.TrimRight(data, "\r\n")); err != nil {
			return "", err
		}
		return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(bytes.TrimRight(data, "\r\n"))
	}
	if block.Type != "PRIVATE KEY" {
		return "", fmt.Errorf("%s: a PEM %q block; want a PKCS #8 PRIVATE KEY", keyFile, block.Type)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return "", err
	}
	var m jwt.SigningMethod
	switch key.(type) {
	case *rsa.PrivateKey:
		m = jwt.SigningMethodRS256
	case *ecdsa.PrivateKey:
		m = jwt.SigningMethodES256
	case ed25519.PrivateKey:
		m = jwt.SigningMethodEdDSA
	default:
		return "", fmt.Errorf("%s: unsupported key type %T", keyFile, key)
	}
	return jwt.NewWithClaims(m, claims).SignedString(key)
}
