// Package edge knows what a k3s edge site needs of NATS: KINE's embedded
// nats-server, started by k3s from a configuration file, keeping the
// cluster state in its own JetStream domain and joined to a shared hub as a
// leaf node. It renders that configuration, the datastore endpoint, the k3s
// configuration and the list of files the edge host needs, and checks a
// site end to end before anyone ships the files (Check).
package edge

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// Defaults of a site, for what the configuration leaves out. Paths are on
// the edge host, next to k3s' own.
const (
	DefaultMaxPayload       = 8 << 20
	DefaultServerConfigFile = "/etc/rancher/k3s/nats/server.conf"
	DefaultCredentialsFile  = "/etc/rancher/k3s/nats/leaf.creds"
	DefaultStoreDir         = "/var/lib/rancher/k3s/server/db/nats"
	// DefaultK3sConfigFile is a drop-in k3s reads after config.yaml, so the
	// datastore setting does not overwrite the host's own configuration.
	DefaultK3sConfigFile = "/etc/rancher/k3s/config.yaml.d/50-nats-datastore.yaml"
	domainPrefix         = "edge-"
	// MaxMaxPayload is nats-server's upper bound for max_payload.
	MaxMaxPayload = 64 << 20
)

// DefaultDomain is the JetStream domain of a site that names none.
func DefaultDomain(name string) string { return domainPrefix + name }

// Site is one edge site: a k3s server whose KINE runs its own nats-server,
// a leaf node of the hub.
type Site struct {
	// Name names the site; it is the edge server's server_name, which the
	// hub shows for the leaf connection.
	Name string
	// HubURLs are the hub's leaf node URLs (nats-leaf:// or tls://).
	HubURLs []string
	// CredentialsFile is where, on the edge host, the credentials of the
	// hub user the leaf connection logs in as live.
	CredentialsFile string
	// Domain is the edge's JetStream domain; the hub reaches the edge's
	// JetStream as $JS.<Domain>.API. It must differ from the hub's.
	Domain string
	// StoreDir is the JetStream store directory on the edge host.
	StoreDir string
	// ServerConfigFile is where ServerConfig goes on the edge host; the
	// endpoint names it.
	ServerConfigFile string
	// K3sConfigFile is where K3sConfig goes on the edge host.
	K3sConfigFile string
	// Bucket and RevHistory are KINE's, as for a datastore.
	Bucket     string
	RevHistory int
	// Listen is "" for an edge server reached in-process only (KINE's
	// dontListen), or the host:port where workloads on the site reach it.
	Listen string
	// MaxPayload of the edge server; Kubernetes objects need at least
	// conformance.RequiredMaxPayload.
	MaxPayload int
	// TLS for the leaf connection: paths on the edge host.
	TLS TLSFiles
}

// TLSFiles are paths, on the edge host, of the TLS material of the leaf
// connection: the CA that signed the hub's certificate, and a client
// certificate and key for hubs that verify leaf nodes.
type TLSFiles struct {
	CA, Cert, Key string
}

func (t TLSFiles) set() bool { return t.CA != "" || t.Cert != "" || t.Key != "" }

// WithDefaults fills in what s leaves out.
func (s Site) WithDefaults() Site {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	if s.Name != "" {
		def(&s.Domain, DefaultDomain(s.Name))
	}
	def(&s.StoreDir, DefaultStoreDir)
	def(&s.ServerConfigFile, DefaultServerConfigFile)
	def(&s.CredentialsFile, DefaultCredentialsFile)
	def(&s.K3sConfigFile, DefaultK3sConfigFile)
	def(&s.Bucket, k3s.DefaultBucket)
	if s.RevHistory == 0 {
		s.RevHistory = k3s.DefaultRevHistory
	}
	if s.MaxPayload == 0 {
		s.MaxPayload = DefaultMaxPayload
	}
	return s
}

// Problem is one thing wrong with a site: the Site field (with an index
// for lists) and what is wrong, never quoting a secret.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// validName is what a JetStream domain, a server name and a KV bucket
// accept alike.
var validName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// Problems lists everything wrong with s (defaults applied first).
func (s Site) Problems() []Problem {
	s = s.WithDefaults()
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !validName.MatchString(s.Name) {
		add("Name", "%q is not a site name: letters, digits, '-' and '_' (it names the edge server and its default JetStream domain)", s.Name)
	}
	if !validName.MatchString(s.Domain) {
		add("Domain", "%q is not a JetStream domain: letters, digits, '-' and '_'", s.Domain)
	}
	if len(s.HubURLs) == 0 {
		add("HubURLs", "at least one leaf node URL of the hub is needed")
	}
	for i, u := range s.HubURLs {
		if err := checkHubURL(u); err != nil {
			add(fmt.Sprintf("HubURLs[%d]", i), "%v", err)
		}
	}
	for _, f := range []struct{ field, path string }{
		{"CredentialsFile", s.CredentialsFile}, {"StoreDir", s.StoreDir},
		{"ServerConfigFile", s.ServerConfigFile}, {"K3sConfigFile", s.K3sConfigFile},
		{"TLS.CA", s.TLS.CA}, {"TLS.Cert", s.TLS.Cert}, {"TLS.Key", s.TLS.Key},
	} {
		if f.path != "" || !strings.HasPrefix(f.field, "TLS.") {
			if err := checkPath(f.path); err != nil {
				add(f.field, "%v", err)
			}
		}
	}
	if strings.Contains(s.CredentialsFile, "$") {
		// nats-server expands environment variables in this one path.
		add("CredentialsFile", "%q holds '$', which nats-server would read as an environment variable", s.CredentialsFile)
	}
	if (s.TLS.Cert == "") != (s.TLS.Key == "") {
		add("TLS.Cert", "a client certificate needs its key and a key its certificate: set both or neither")
	}
	if s.MaxPayload < conformance.RequiredMaxPayload || s.MaxPayload > MaxMaxPayload {
		add("MaxPayload", "%d is outside %d..%d: a 1.5 MiB Kubernetes object takes %d bytes in KINE's encoding, and nats-server accepts at most 64 MiB",
			s.MaxPayload, conformance.RequiredMaxPayload, MaxMaxPayload, conformance.RequiredMaxPayload)
	}
	if s.Listen != "" {
		if err := checkListen(s.Listen); err != nil {
			add("Listen", "%v", err)
		}
	}
	if err := s.Endpoint().Validate(); err != nil && len(ps) == 0 {
		add("Endpoint", "%v", err)
	}
	return ps
}

// Validate is Problems as one error, nil for a usable site.
func (s Site) Validate() error {
	var errs []error
	for _, p := range s.Problems() {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// checkHubURL accepts a leaf node URL of the hub. Credentials do not belong
// in it: server_config is not a secret.
func checkHubURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL such as nats-leaf://hub.example.net:7422")
	}
	switch {
	case u.Scheme != "nats-leaf" && u.Scheme != "tls":
		return fmt.Errorf("scheme %q: want nats-leaf:// or tls://", u.Scheme)
	case u.User != nil:
		return errors.New("credentials do not belong in the URL (the configuration is not secret): the leaf connection logs in with the credentials file")
	case u.Hostname() == "" || u.Port() == "":
		return fmt.Errorf("%q: want scheme://host:port", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return fmt.Errorf("%q: want scheme://host:port, without path or query", s)
	}
	if n, err := strconv.Atoi(u.Port()); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: port outside 1..65535", s)
	}
	return nil
}

// checkPath accepts an absolute path on the edge host.
func checkPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is not an absolute path on the edge host", p)
	case strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errors.New("the path holds control characters")
	}
	return nil
}

// checkListen accepts host:port with a port: KINE listens on the
// endpoint's port, a random one when it has none.
func checkListen(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q: want host:port, such as 0.0.0.0:4222", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: port outside 1..65535 (KINE would pick a random port without one)", s)
	}
	if host == "" {
		return fmt.Errorf("%q: name the address to listen on, such as 0.0.0.0:%s", s, port)
	}
	return nil
}

// ListensBeyondLoopback reports whether the edge server accepts clients
// from the network. It has no authorization of its own: whoever reaches it
// can read and write the cluster state.
func (s Site) ListensBeyondLoopback() bool {
	if s.Listen == "" {
		return false
	}
	host, _, err := net.SplitHostPort(s.Listen)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
