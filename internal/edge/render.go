package edge

import (
	"fmt"
	"strings"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// ServerConfig is the nats-server configuration KINE's embedded server
// starts from (s with defaults applied): server_name, max_payload, the
// listen address when the site listens, JetStream with the domain and store
// directory, and the leaf remote with the hub URLs, the credentials file
// and TLS. KINE turns JetStream on and takes host and port from the
// endpoint; the listen line only keeps the file truthful.
func (s Site) ServerConfig() string {
	s = s.WithDefaults()
	var b strings.Builder
	fmt.Fprintf(&b, "# nats-server configuration of KINE's embedded NATS server at edge site %s.\n", quote(s.Name))
	b.WriteString("# k3s starts it through its datastore endpoint (serverConfig), which also sets\n")
	b.WriteString("# where it listens. Made by terraform-provider-nats (nats_k3s_edge).\n")
	fmt.Fprintf(&b, "server_name: %s\n", quote(s.Name))
	fmt.Fprintf(&b, "max_payload: %d\n", s.MaxPayload)
	if s.Listen != "" {
		fmt.Fprintf(&b, "listen: %s\n", quote(s.Listen))
	}
	b.WriteString("jetstream {\n")
	fmt.Fprintf(&b, "  domain: %s\n", quote(s.Domain))
	fmt.Fprintf(&b, "  store_dir: %s\n", quote(s.StoreDir))
	b.WriteString("}\n")
	b.WriteString("leafnodes {\n  remotes: [\n    {\n")
	urls := make([]string, len(s.HubURLs))
	for i, u := range s.HubURLs {
		urls[i] = quote(u)
	}
	fmt.Fprintf(&b, "      urls: [%s]\n", strings.Join(urls, ", "))
	fmt.Fprintf(&b, "      credentials: %s\n", quote(s.CredentialsFile))
	if s.TLS.set() {
		b.WriteString("      tls {\n")
		for _, f := range []struct{ k, v string }{{"ca_file", s.TLS.CA}, {"cert_file", s.TLS.Cert}, {"key_file", s.TLS.Key}} {
			if f.v != "" {
				fmt.Fprintf(&b, "        %s: %s\n", f.k, quote(f.v))
			}
		}
		b.WriteString("      }\n")
	}
	b.WriteString("    }\n  ]\n}\n")
	return b.String()
}

// quote writes v as a double-quoted string of the nats-server
// configuration language, which knows the escapes \" \\ \t \n \r and \xXX
// and reads no variables inside quotes.
func quote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Endpoint is the exact --datastore-endpoint of the site: KINE's embedded
// server from ServerConfigFile, the bucket and its history, and either
// dontListen or the listen address.
func (s Site) Endpoint() k3s.Endpoint {
	s = s.WithDefaults()
	e := k3s.Endpoint{ServerConfig: s.ServerConfigFile, Bucket: s.Bucket, RevHistory: s.RevHistory}
	if s.Listen == "" {
		e.DontListen = true
	} else {
		e.Servers = []string{s.Listen}
	}
	return e
}

// K3sConfig is the k3s configuration snippet (K3sConfigFile) that points
// k3s at the embedded datastore.
func (s Site) K3sConfig() string {
	return k3s.K3sConfig(s.Endpoint(), k3s.TLSFiles{})
}

// File is one file the edge host needs.
type File struct {
	Path string
	// Kind says where the content comes from: KindServerConfig,
	// KindK3sConfig, KindCredentials, KindTLSCA, KindTLSCert or KindTLSKey.
	Kind string
	// Mode is the file mode it should have ("0600" for secrets).
	Mode    string
	Purpose string
}

// File kinds.
const (
	KindServerConfig = "server_config"
	KindK3sConfig    = "k3s_config"
	KindCredentials  = "credentials"
	KindTLSCA        = "tls_ca"
	KindTLSCert      = "tls_cert"
	KindTLSKey       = "tls_key"
)

// Files lists every file the edge host needs, in the order to write them.
// The store directory is not among them: the server makes it.
func (s Site) Files() []File {
	s = s.WithDefaults()
	fs := []File{
		{s.CredentialsFile, KindCredentials, "0600", "Credentials of the hub user the leaf connection logs in as (a secret)."},
	}
	for _, t := range []struct{ path, kind, mode, purpose string }{
		{s.TLS.CA, KindTLSCA, "0644", "CA certificate that signed the hub's leaf node certificate."},
		{s.TLS.Cert, KindTLSCert, "0644", "Client certificate of the leaf connection."},
		{s.TLS.Key, KindTLSKey, "0600", "Key of the leaf connection's client certificate (a secret)."},
	} {
		if t.path != "" {
			fs = append(fs, File{t.path, t.kind, t.mode, t.purpose})
		}
	}
	return append(fs,
		File{s.ServerConfigFile, KindServerConfig, "0644", "nats-server configuration of KINE's embedded server (server_config)."},
		File{s.K3sConfigFile, KindK3sConfig, "0644", "k3s configuration that sets the datastore endpoint (k3s_config)."},
	)
}
