package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// certificate is a key pair signed by parent (itself when nil).
type certificate struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func newCert(t *testing.T, tmpl *x509.Certificate, parent *certificate) *certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &certificate{cert, key, der}
}

func (c *certificate) files(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	kder, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestTLSAndClientCertificates serves HTTPS with -tls-cert and -tls-key,
// and with -client-ca takes a verified client certificate as a back end
// named by its common name; a request without one still needs a token,
// and a certificate from another CA is no credential.
func TestTLSAndClientCertificates(t *testing.T) {
	dir := t.TempDir()
	ca := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil)
	server := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "dmgate"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca)
	billing := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "billing"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca)
	rogueCA := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "rogue CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil)
	rogue := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "billing"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, rogueCA)
	caFile, _ := ca.files(t, dir, "ca")
	certFile, keyFile := server.files(t, dir, "server")

	g := start(t, pgtest.SchemaURL(t), "-tls-cert", certFile, "-tls-key", keyFile, "-client-ca", caFile)
	if !strings.Contains(g.log.String(), `"addr":"https://`) {
		t.Fatalf("dmgate does not say it serves HTTPS:\n%s", g.log.String())
	}
	base := "https://" + strings.TrimPrefix(g.base, "http://")
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	clientWith := func(c *certificate) *http.Client {
		cfg := &tls.Config{RootCAs: roots}
		if c != nil {
			// Sent whatever CAs the server names.
			cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				return &tls.Certificate{Certificate: [][]byte{c.der}, PrivateKey: c.key}, nil
			}
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	}
	put := func(hc *http.Client, path, token, body string) int {
		t.Helper()
		req, _ := http.NewRequest("PUT", base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name   string
		client *http.Client
		token  string
		want   int
	}{
		{"client certificate of the CA", clientWith(billing), "", http.StatusNoContent},
		{"no certificate, a back end's token", clientWith(nil), backendToken, http.StatusNoContent},
		{"no certificate, a user's token", clientWith(nil), userToken(1), http.StatusForbidden},
		{"no credential", clientWith(nil), "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if got := put(tt.client, "/v1/users/1", tt.token, `{"status":"active","birth":"1990-01-01"}`); got != tt.want {
			t.Errorf("%s: PUT /v1/users/1 answered %d, want %d", tt.name, got, tt.want)
		}
	}
	// A certificate of another CA fails the handshake.
	req, _ := http.NewRequest("PUT", base+"/v1/users/1", strings.NewReader(`{"status":"active","birth":"1990-01-01"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := clientWith(rogue).Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("a client certificate of another CA was accepted: %d", resp.StatusCode)
	}
	if !strings.Contains(g.log.String(), `"caller":"cert:billing"`) {
		t.Errorf("the back end's write is not logged with its certificate's name:\n%s", g.log.String())
	}
}
