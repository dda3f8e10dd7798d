package testnats

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TLSMaterial is a throwaway CA with a server certificate for 127.0.0.1 and
// a client certificate, as PEM and as files in Dir.
type TLSMaterial struct {
	Dir                                   string
	CAPEM, ClientCertPEM, ClientKeyPEM    string
	CAFile, ClientCertFile, ClientKeyFile string
	ServerCertFile, ServerKeyFile         string
}

// ServerConfig is a nats-server tls block that requires client certificates
// signed by the CA.
func (m *TLSMaterial) ServerConfig() string {
	return fmt.Sprintf("tls {\n  cert_file: %q\n  key_file: %q\n  ca_file: %q\n  verify: true\n}\n",
		m.ServerCertFile, m.ServerKeyFile, m.CAFile)
}

// NewTLS makes a CA, a server and a client certificate in a new temporary
// directory. Remove Dir when done.
func NewTLS() (*TLSMaterial, error) {
	dir, err := os.MkdirTemp("", "testnats-tls-")
	if err != nil {
		return nil, fmt.Errorf("make tls dir: %w", err)
	}
	m := &TLSMaterial{Dir: dir}
	caKey, caCert, caPEM, _, err := certificate(nil, nil, &x509.Certificate{
		Subject: pkix.Name{CommonName: "testnats CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	})
	if err != nil {
		return nil, err
	}
	m.CAPEM = caPEM
	_, _, serverPEM, serverKeyPEM, err := certificate(caKey, caCert, &x509.Certificate{
		Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, err
	}
	_, _, clientPEM, clientKeyPEM, err := certificate(caKey, caCert, &x509.Certificate{
		Subject: pkix.Name{CommonName: "terraform"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}
	m.ClientCertPEM, m.ClientKeyPEM = clientPEM, clientKeyPEM
	files := []struct {
		path *string
		name string
		data string
	}{
		{&m.CAFile, "ca.pem", caPEM},
		{&m.ServerCertFile, "server.pem", serverPEM},
		{&m.ServerKeyFile, "server-key.pem", serverKeyPEM},
		{&m.ClientCertFile, "client.pem", clientPEM},
		{&m.ClientKeyFile, "client-key.pem", m.ClientKeyPEM},
	}
	for _, f := range files {
		*f.path = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.path, []byte(f.data), 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return m, nil
}

// certificate makes a key and a certificate from tmpl, signed by parent (self-
// signed when parent is nil).
func certificate(parentKey *ecdsa.PrivateKey, parent, tmpl *x509.Certificate) (*ecdsa.PrivateKey, *x509.Certificate, string, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("serial: %w", err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("create certificate %s: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("parse certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("marshal key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	return key, cert, string(certPEM), string(keyPEM), nil
}

// StartTLS runs a server for one test that demands client certificates
// signed by a throwaway CA, and returns it with that CA's material. Both
// are gone when the test ends.
func StartTLS(tb testing.TB) (*Server, *TLSMaterial) {
	tb.Helper()
	m, err := NewTLS()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(m.Dir) })
	s, err := Start(Config{Extra: m.ServerConfig()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Shutdown)
	return s, m
}
