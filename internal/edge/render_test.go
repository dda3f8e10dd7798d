package edge

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"gopkg.in/yaml.v3"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// parseAsKINE writes s's configuration into dir and reads it back the way
// KINE's embedded server does, with s's own endpoint.
func parseAsKINE(t *testing.T, dir string, s Site) *server.Options {
	t.Helper()
	path := filepath.Join(dir, "server.conf")
	if err := os.WriteFile(path, []byte(s.ServerConfig()), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := EmbeddedOptions(path, s.Endpoint())
	if err != nil {
		t.Fatalf("%v\n%s", err, s.ServerConfig())
	}
	return opts
}

// Every combination of the options that shape server_config parses with
// nats-server's own parser into exactly what the site says.
func TestServerConfigParsesForEveryCombination(t *testing.T) {
	m, err := testnats.NewTLS()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(m.Dir)
	// TLS files must exist where the configuration names them: nats-server
	// loads them while parsing. One set sits at a path that needs quoting.
	odd := filepath.Join(m.Dir, `odd dir "q" \ $HOME #x`)
	if err := os.MkdirAll(odd, 0o700); err != nil {
		t.Fatal(err)
	}
	oddTLS := TLSFiles{CA: filepath.Join(odd, "ca.pem"), Cert: filepath.Join(odd, "c.pem"), Key: filepath.Join(odd, "k.pem")}
	for src, dst := range map[string]string{m.CAFile: oddTLS.CA, m.ClientCertFile: oddTLS.Cert, m.ClientKeyFile: oddTLS.Key} {
		b, _ := os.ReadFile(src)
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tlsSets := map[string]TLSFiles{
		"no tls":  {},
		"ca":      {CA: m.CAFile},
		"mutual":  {CA: m.CAFile, Cert: m.ClientCertFile, Key: m.ClientKeyFile},
		"odd tls": oddTLS,
	}
	urlSets := [][]string{
		{"nats-leaf://hub.example.net:7422"},
		{"tls://hub-1.example.net:7422", "tls://hub-2.example.net:7422", "nats-leaf://10.0.0.3:17422"},
	}
	listens := []string{"", "0.0.0.0:4222", "127.0.0.1:14222", "[::]:4222"}
	payloads := []int{0, conformance.RequiredMaxPayload, MaxMaxPayload}
	paths := []struct{ store, creds, conf string }{
		{"", "", ""},
		{"/var/lib/nats store", `/etc/nats/"leaf".creds`, "/etc/nats/a\\b.conf"},
	}
	n := 0
	for tlsName, tlsFiles := range tlsSets {
		for _, urls := range urlSets {
			for _, listen := range listens {
				for _, payload := range payloads {
					for _, p := range paths {
						n++
						s := Site{Name: fmt.Sprintf("site-%d", n), HubURLs: urls, Listen: listen, MaxPayload: payload, TLS: tlsFiles,
							StoreDir: p.store, CredentialsFile: p.creds, ServerConfigFile: p.conf, Bucket: "b", RevHistory: 12}
						t.Run(fmt.Sprintf("%d %s %d urls listen %q payload %d", n, tlsName, len(urls), listen, payload), func(t *testing.T) {
							if err := s.Validate(); err != nil {
								t.Fatal(err)
							}
							want := s.WithDefaults()
							o := parseAsKINE(t, t.TempDir(), s)
							checkOptions(t, want, o)
						})
					}
				}
			}
		}
	}
}

// checkOptions compares what nats-server read with what the site says.
func checkOptions(t *testing.T, s Site, o *server.Options) {
	t.Helper()
	if o.ServerName != s.Name || o.MaxPayload != int32(s.MaxPayload) || o.JetStreamDomain != s.Domain || o.StoreDir != s.StoreDir || !o.JetStream {
		t.Errorf("read name %q, max_payload %d, domain %q, store %q, jetstream %t; want %q, %d, %q, %q, true",
			o.ServerName, o.MaxPayload, o.JetStreamDomain, o.StoreDir, o.JetStream, s.Name, s.MaxPayload, s.Domain, s.StoreDir)
	}
	if len(o.LeafNode.Remotes) != 1 {
		t.Fatalf("%d leaf remotes, want 1", len(o.LeafNode.Remotes))
	}
	r := o.LeafNode.Remotes[0]
	var urls []string
	for _, u := range r.URLs {
		urls = append(urls, u.String())
	}
	if !reflect.DeepEqual(urls, s.HubURLs) || r.Credentials != s.CredentialsFile {
		t.Errorf("remote urls %q, credentials %q; want %q, %q", urls, r.Credentials, s.HubURLs, s.CredentialsFile)
	}
	if got, want := r.TLSConfig != nil, s.TLS.CA != "" || s.TLS.Cert != ""; got != want {
		t.Errorf("remote TLS configured: %t, want %t", got, want)
	}
	if s.TLS.Cert != "" && (r.TLSConfig == nil || len(r.TLSConfig.Certificates) != 1) {
		t.Error("the client certificate was not loaded")
	}
	if s.TLS.CA != "" && (r.TLSConfig == nil || r.TLSConfig.RootCAs == nil) {
		t.Error("the CA was not loaded")
	}
	if s.Listen == "" {
		if !o.DontListen || o.Port != -1 {
			t.Errorf("dontListen %t, port %d; want an in-process server", o.DontListen, o.Port)
		}
	} else if got := fmt.Sprintf("%s:%d", o.Host, o.Port); o.DontListen || strings.Trim(got, "[]") != strings.NewReplacer("[", "", "]", "").Replace(s.Listen) {
		t.Errorf("listens at %s (dontListen %t), want %s", got, o.DontListen, s.Listen)
	}
}

// Odd bytes in paths survive quoting and parsing.
func FuzzServerConfigPaths(f *testing.F) {
	for _, p := range []string{"/var/lib/nats", `/a "b" \c`, "/$x/${y}/#z", "/a\x01b", "/ü/ñ", "/a\\\\\"", "/x'y'"} {
		f.Add(p, p)
	}
	f.Fuzz(func(t *testing.T, store, creds string) {
		s := Site{Name: "fuzz", HubURLs: []string{"nats-leaf://hub:7422"}, StoreDir: store, CredentialsFile: creds}
		if s.Validate() != nil {
			t.Skip()
		}
		o := parseAsKINE(t, t.TempDir(), s)
		want := s.WithDefaults()
		if o.StoreDir != want.StoreDir || o.LeafNode.Remotes[0].Credentials != want.CredentialsFile {
			t.Fatalf("store %q creds %q read as %q and %q\n%s", want.StoreDir, want.CredentialsFile, o.StoreDir, o.LeafNode.Remotes[0].Credentials, s.ServerConfig())
		}
	})
}

func TestEndpointAndK3sConfig(t *testing.T) {
	s := Site{Name: "store-42", HubURLs: []string{"tls://hub:7422"}}
	want := "nats://?bucket=kine&revHistory=10&serverConfig=%2Fetc%2Francher%2Fk3s%2Fnats%2Fserver.conf&dontListen=true"
	if got := s.Endpoint().String(); got != want {
		t.Errorf("endpoint %s, want %s", got, want)
	}
	s.Listen, s.Bucket, s.RevHistory, s.ServerConfigFile = "0.0.0.0:4222", "k3s", 20, "/srv/nats.conf"
	want = "nats://0.0.0.0:4222?bucket=k3s&revHistory=20&serverConfig=%2Fsrv%2Fnats.conf"
	if got := s.Endpoint().String(); got != want {
		t.Errorf("endpoint %s, want %s", got, want)
	}
	back, err := k3s.ParseEndpoint(want)
	if err != nil || !reflect.DeepEqual(back, s.Endpoint()) {
		t.Errorf("endpoint parses back as %+v, %v", back, err)
	}
	var doc map[string]string
	if err := yaml.Unmarshal([]byte(s.K3sConfig()), &doc); err != nil || doc["datastore-endpoint"] != want || len(doc) != 1 {
		t.Errorf("k3s config %q reads as %v, %v", s.K3sConfig(), doc, err)
	}
}

func TestFiles(t *testing.T) {
	s := Site{Name: "x", HubURLs: []string{"tls://hub:7422"}, TLS: TLSFiles{CA: "/c/ca.pem", Cert: "/c/leaf.pem", Key: "/c/leaf-key.pem"}}
	var got []string
	for _, f := range s.Files() {
		got = append(got, f.Kind+" "+f.Path+" "+f.Mode)
		if f.Purpose == "" {
			t.Errorf("%s has no purpose", f.Path)
		}
	}
	want := []string{
		"credentials " + DefaultCredentialsFile + " 0600",
		"tls_ca /c/ca.pem 0644", "tls_cert /c/leaf.pem 0644", "tls_key /c/leaf-key.pem 0600",
		"server_config " + DefaultServerConfigFile + " 0644",
		"k3s_config " + DefaultK3sConfigFile + " 0644",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files\n got %q\nwant %q", got, want)
	}
	s.TLS = TLSFiles{}
	if n := len(s.Files()); n != 3 {
		t.Errorf("without TLS: %d files, want 3", n)
	}
}

// Each bad setting is named by its field, and nothing secret is quoted.
func TestProblems(t *testing.T) {
	ok := Site{Name: "s", HubURLs: []string{"nats-leaf://hub:7422"}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Site)
		field string
	}{
		{"name", func(s *Site) { s.Name = "a b" }, "Name"},
		{"domain", func(s *Site) { s.Domain = "a.b" }, "Domain"},
		{"no hub", func(s *Site) { s.HubURLs = nil }, "HubURLs"},
		{"client scheme", func(s *Site) { s.HubURLs = []string{"nats://hub:4222"} }, "HubURLs[0]"},
		{"no port", func(s *Site) { s.HubURLs = []string{"tls://hub"} }, "HubURLs[0]"},
		{"credentials in URL", func(s *Site) { s.HubURLs = []string{"tls://hub:1", "nats-leaf://u:s3cret@hub:7422"} }, "HubURLs[1]"},
		{"path", func(s *Site) { s.HubURLs = []string{"tls://hub:7422/x"} }, "HubURLs[0]"},
		{"relative store", func(s *Site) { s.StoreDir = "data" }, "StoreDir"},
		{"relative creds", func(s *Site) { s.CredentialsFile = "~/leaf.creds" }, "CredentialsFile"},
		{"variable in creds path", func(s *Site) { s.CredentialsFile = "/etc/$HOST/leaf.creds" }, "CredentialsFile"},
		{"newline in config path", func(s *Site) { s.ServerConfigFile = "/a\nb" }, "ServerConfigFile"},
		{"relative k3s config", func(s *Site) { s.K3sConfigFile = "k3s.yaml" }, "K3sConfigFile"},
		{"relative ca", func(s *Site) { s.TLS.CA = "ca.pem" }, "TLS.CA"},
		{"cert without key", func(s *Site) { s.TLS.Cert = "/c.pem" }, "TLS.Cert"},
		{"payload too small", func(s *Site) { s.MaxPayload = 1 << 20 }, "MaxPayload"},
		{"payload too big", func(s *Site) { s.MaxPayload = 65 << 20 }, "MaxPayload"},
		{"listen without port", func(s *Site) { s.Listen = "0.0.0.0" }, "Listen"},
		{"listen without host", func(s *Site) { s.Listen = ":4222" }, "Listen"},
		{"listen port 0", func(s *Site) { s.Listen = "0.0.0.0:0" }, "Listen"},
		{"bucket", func(s *Site) { s.Bucket = "a.b" }, "Endpoint"},
		{"rev history", func(s *Site) { s.RevHistory = 100 }, "Endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			ps := s.Problems()
			if len(ps) == 0 {
				t.Fatalf("no problem, want one on %s", tc.field)
			}
			if ps[0].Field != tc.field {
				t.Errorf("problems %v, want the first on %s", ps, tc.field)
			}
			if strings.Contains(s.Validate().Error(), "s3cret") {
				t.Errorf("the error quotes a password: %v", s.Validate())
			}
		})
	}
}

func TestListensBeyondLoopback(t *testing.T) {
	for listen, want := range map[string]bool{"": false, "127.0.0.1:4222": false, "[::1]:4222": false, "localhost:4222": false,
		"0.0.0.0:4222": true, "10.0.0.5:4222": true, "edge.local:4222": true} {
		if got := (Site{Listen: listen}).ListensBeyondLoopback(); got != want {
			t.Errorf("%q: %t, want %t", listen, got, want)
		}
	}
}
