package k3s

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// What KINE uses when the endpoint leaves a setting out.
const (
	DefaultBucket     = "kine"
	DefaultReplicas   = 1
	DefaultRevHistory = 10
	KineDescription   = "Holds kine key/values"
)

// Ranges KINE enforces on the endpoint's numeric params.
const (
	MinReplicas   = 1
	MaxReplicas   = 5
	MinRevHistory = 2
	MaxRevHistory = 64
)

// Endpoint is a KINE NATS datastore endpoint, as `k3s server
// --datastore-endpoint` and `kine --endpoint` take it.
//
// User, Password and Token are the exact strings NATS receives. KINE hands
// the URL's userinfo to NATS still percent-encoded, so only characters that
// Go's URL encoder leaves alone reach the server intact; Validate rejects
// the others instead of producing an endpoint that cannot authenticate.
type Endpoint struct {
	// Servers are "host:port" (or "nats://host:port"). KINE dials nats://
	// only; TLS comes from k3s' datastore-cafile/certfile/keyfile, which
	// make the client speak TLS to a nats:// address. Empty only with
	// ContextFile, or for an Embedded endpoint.
	Servers []string
	// User and Password go on the first URL as user:pass@.
	User, Password string
	// Token goes on the first URL as token@.
	Token string
	// Bucket is the KV bucket; "" means KINE's default, "kine".
	Bucket string
	// Replicas of the bucket; 0 leaves it out (KINE uses 1). 1..5.
	Replicas int
	// RevHistory is the bucket's history; 0 leaves it out (KINE uses 10). 2..64.
	RevHistory int
	// SlowMethod is when KINE logs a call as slow; 0 leaves it out (500ms).
	SlowMethod time.Duration
	// CredsFile is a NATS credentials file path on the k3s host.
	CredsFile string
	// ContextFile is a NATS CLI context file path on the k3s host; it
	// supplies the servers, so Servers must be empty.
	ContextFile string
	// NoEmbed stops KINE builds with an embedded NATS server from starting
	// their own; harmless for builds without one.
	NoEmbed bool

	// The rest is read only by KINE builds with embedded NATS (k3s' own):
	// they make KINE run its own nats-server in-process. An endpoint that
	// sets any of them is Embedded: Servers then holds at most one host or
	// host:port, where the embedded server listens (a random port when the
	// port is left out), or nothing at all (nats://?serverConfig=...).

	// ServerConfig is the path, on the k3s host, of the nats-server
	// configuration the embedded server starts from. KINE turns JetStream
	// on whatever it says, and takes host and port from the endpoint: the
	// file's own listen port is ignored.
	ServerConfig string
	// DataDir is the embedded server's JetStream store directory; it
	// overrides the configuration's store_dir.
	DataDir string
	// DontListen keeps the embedded server off the network: KINE talks to
	// it in-process, and Servers must be empty.
	DontListen bool
	// StdoutLogging makes the embedded server log to KINE's stdout.
	StdoutLogging bool
}

// Embedded reports whether the endpoint asks KINE to run its own NATS
// server (builds with embedded NATS only).
func (e Endpoint) Embedded() bool {
	return e.ServerConfig != "" || e.DataDir != "" || e.DontListen || e.StdoutLogging
}

// validBucket is the bucket name rule of nats.go's CreateKeyValue.
var validBucket = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// validHostname is an ASCII DNS name or IPv4 address: what K3sConfig can
// quote and a resolver can look up.
var validHostname = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// Validate reports every setting KINE would reject or silently misread,
// joined. Each error names the Endpoint field and none quotes a secret.
func (e Endpoint) Validate() error {
	var errs []error
	switch embedded := e.Embedded(); {
	case embedded && e.NoEmbed:
		errs = append(errs, errors.New("NoEmbed: contradicts ServerConfig/DataDir/DontListen/StdoutLogging, which only serve KINE's embedded server"))
	case embedded && e.ContextFile != "":
		errs = append(errs, errors.New("ContextFile: KINE reaches its embedded server itself; a context file's servers would be ignored"))
	case embedded && e.DontListen && len(e.Servers) > 0:
		errs = append(errs, errors.New("Servers: must be empty with DontListen: the embedded server does not listen, so KINE would ignore a host:port"))
	case embedded && len(e.Servers) > 1:
		errs = append(errs, errors.New("Servers: the embedded server listens on the first URL's host and port only; KINE ignores the others"))
	case embedded:
		// One listen address or none: checked with the servers below.
	case e.ContextFile != "":
		if len(e.Servers) > 0 {
			errs = append(errs, errors.New("Servers: must be empty with ContextFile: the context supplies the servers and KINE refuses a host with contextFile"))
		}
		if e.User != "" || e.Password != "" || e.Token != "" {
			errs = append(errs, errors.New("User/Password/Token: KINE ignores them with ContextFile; put the identity in the context"))
		}
	case len(e.Servers) == 0:
		errs = append(errs, errors.New("Servers: at least one server is needed, or a ContextFile, or the embedded server's ServerConfig"))
	}
	for i, s := range e.Servers {
		if _, err := serverHost(s); err != nil {
			errs = append(errs, fmt.Errorf("Servers[%d]: %w", i, err))
		}
	}

	identities := 0
	if e.User != "" || e.Password != "" {
		identities++
	}
	if e.Token != "" {
		identities++
	}
	if e.CredsFile != "" {
		identities++
	}
	if identities > 1 {
		errs = append(errs, errors.New("User/Password, Token and CredsFile: set at most one identity"))
	}
	if e.Password != "" && e.User == "" {
		errs = append(errs, errors.New("User: required with Password"))
	}
	if e.User != "" && !passesUnchanged(e.User) {
		errs = append(errs, fmt.Errorf("User: %q would reach NATS percent-encoded: KINE does not decode userinfo; %s", e.User, userinfoChars))
	}
	if e.Password != "" && !passesUnchanged(e.Password) {
		errs = append(errs, fmt.Errorf("Password: has characters that would reach NATS percent-encoded: KINE does not decode userinfo; %s", userinfoChars))
	}
	if e.Token != "" && !passesUnchanged(e.Token) {
		errs = append(errs, fmt.Errorf("Token: has characters that would reach NATS percent-encoded: KINE does not decode userinfo; %s", userinfoChars))
	}

	if e.Bucket != "" && !validBucket.MatchString(e.Bucket) {
		errs = append(errs, fmt.Errorf("Bucket: %q is not a KV bucket name (letters, digits, '-' and '_')", e.Bucket))
	}
	if e.Replicas != 0 && (e.Replicas < MinReplicas || e.Replicas > MaxReplicas) {
		errs = append(errs, fmt.Errorf("Replicas: %d is outside %d..%d", e.Replicas, MinReplicas, MaxReplicas))
	}
	if e.RevHistory != 0 && (e.RevHistory < MinRevHistory || e.RevHistory > MaxRevHistory) {
		errs = append(errs, fmt.Errorf("RevHistory: %d is outside %d..%d", e.RevHistory, MinRevHistory, MaxRevHistory))
	}
	if e.SlowMethod < 0 {
		errs = append(errs, fmt.Errorf("SlowMethod: %s is negative", e.SlowMethod))
	}
	return errors.Join(errs...)
}

// Sensitive reports whether the endpoint string carries a secret.
func (e Endpoint) Sensitive() bool { return e.Password != "" || e.Token != "" }

const userinfoChars = "use letters, digits and - . _ ~ $ & + ; = only, or a CredsFile"

// passesUnchanged reports whether s survives KINE's userinfo handling as is:
// KINE splits the endpoint on ',' before parsing, then passes the userinfo
// re-encoded by net/url (u.User.String()) to NATS. A string Go does not
// encode is therefore the only kind that reaches the server unchanged.
func passesUnchanged(s string) bool {
	if strings.ContainsAny(s, ",%") {
		return false
	}
	return url.UserPassword("", s).String() == ":"+s
}

// KineServers turns client URLs (a NATS client's, such as the provider's)
// into endpoint Servers. A tls:// URL becomes its host:port: KINE dials
// nats:// only, and its TLS flags (k3s' datastore-cafile, certfile and
// keyfile) make that connection TLS, so the scheme adds nothing. Other URLs
// are kept as they are, for Validate to judge.
func KineServers(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		if scheme, rest, ok := strings.Cut(u, "://"); ok && strings.EqualFold(scheme, "tls") {
			u = rest
		}
		out[i] = u
	}
	return out
}

// serverHost checks one Servers entry and returns the host[:port] KINE
// will dial.
func serverHost(s string) (string, error) {
	if strings.Contains(s, "@") {
		// Not quoted: it may hold a password.
		return "", errors.New("credentials belong in User/Password or Token, not in a server address")
	}
	hp := s
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if scheme != "nats" {
			return "", fmt.Errorf("%q: KINE only dials nats:// URLs (TLS is set by the datastore CA/cert flags, not the scheme)", s)
		}
		hp = rest
	}
	if hp == "" {
		return "", fmt.Errorf("%q: no host", s)
	}
	if strings.ContainsAny(hp, "/?#,") {
		return "", fmt.Errorf("%q: want host or host:port, without path, query, credentials or commas", s)
	}
	u, err := url.Parse("nats://" + hp)
	if err != nil || u.Host != hp {
		return "", fmt.Errorf("%q: not a valid host:port", s)
	}
	switch host := u.Hostname(); {
	case host == "":
		return "", fmt.Errorf("%q: no host", s)
	case strings.HasPrefix(hp, "["):
		if net.ParseIP(host) == nil {
			return "", fmt.Errorf("%q: not an IPv6 address", s)
		}
	case !validHostname.MatchString(host):
		// DNS names in ASCII (punycode for IDNs) or IPv4 addresses.
		return "", fmt.Errorf("%q: host name may hold only letters, digits, '.', '-' and '_'", s)
	}
	if strings.HasSuffix(hp, ":") {
		return "", fmt.Errorf("%q: empty port", s)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%q: port outside 1..65535", s)
		}
	}
	return hp, nil
}
