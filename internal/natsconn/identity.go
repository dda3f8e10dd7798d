// Package natsconn owns every NATS connection the provider makes: one pooled
// connection per identity (servers + credentials + TLS), dialed on first use
// and shared by every resource and data source until the provider stops.
package natsconn

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// DefaultURL is where the provider connects when nothing else is configured.
const DefaultURL = "nats://127.0.0.1:4222"

// DefaultTimeout bounds dialing and each JetStream API call.
const DefaultTimeout = 10 * time.Second

// TLS holds client TLS settings. Each of CA, Cert and Key is either a file
// path or PEM content.
type TLS struct {
	CA, Cert, Key  string
	HandshakeFirst bool
}

func (t TLS) enabled() bool {
	return t.CA != "" || t.Cert != "" || t.Key != "" || t.HandshakeFirst
}

// Identity is who the provider connects as, and where. At most one
// credential field is set.
type Identity struct {
	Servers []string

	CredsFile string // path to a .creds file
	CredsData string // .creds content
	NKeySeed  string
	User      string
	Password  string
	Token     string
	Context   string // nats CLI context name or context file path

	TLS         TLS
	InboxPrefix string
	Timeout     time.Duration
}

// WithCreds returns the identity with its credentials replaced by creds
// content: a resource's `credentials` override. Everything else carries
// over: servers, TLS, options, and a context's connection settings (its
// servers, TLS and inbox prefix), though no longer its credentials.
func (id Identity) WithCreds(creds string) Identity {
	id.CredsFile, id.NKeySeed, id.User, id.Password, id.Token = "", "", "", "", ""
	id.CredsData = creds
	return id
}

// ownCredentials says whether the identity authenticates with credentials
// of its own rather than its context's.
func (id Identity) ownCredentials() bool {
	return id.CredsFile != "" || id.CredsData != "" || id.NKeySeed != "" || id.User != "" || id.Token != ""
}

// Resolved is the identity with its context's servers, TLS and inbox prefix
// written out where the identity sets none, for whoever must connect with
// it without reading the context (KINE, a resource's override). The context
// itself stays: without credentials of its own, the identity still
// authenticates with the context's.
func (id Identity) Resolved() (Identity, error) {
	if id.Context == "" {
		return id, nil
	}
	c, err := loadContext(id.Context)
	if err != nil {
		return id, err
	}
	if len(id.Servers) == 0 {
		for _, s := range strings.Split(c.ServerURL(), ",") {
			if s = strings.TrimSpace(s); s != "" {
				id.Servers = append(id.Servers, s)
			}
		}
	}
	if !id.TLS.enabled() {
		id.TLS = TLS{CA: c.CA(), Cert: c.Certificate(), Key: c.Key(), HandshakeFirst: c.TLSHandshakeFirst()}
	}
	if id.InboxPrefix == "" {
		id.InboxPrefix = c.InboxPrefix()
	}
	return id, nil
}

// Kind names the kind of credential, for messages that must not show it.
func (id Identity) Kind() string {
	switch {
	case id.CredsFile != "":
		if !plausiblePath(id.CredsFile) {
			return "credentials file"
		}
		return "credentials file " + id.CredsFile
	case id.CredsData != "":
		return "credentials data"
	case id.NKeySeed != "":
		return "nkey seed"
	case id.User != "":
		return "user " + id.User + " and password"
	case id.Token != "":
		return "token"
	case id.Context != "":
		if !plausiblePath(id.Context) {
			return "context"
		}
		return "context " + id.Context
	default:
		return "no credentials"
	}
}

// ServerList is the servers as shown to people: user info removed.
func (id Identity) ServerList() string {
	servers := id.Servers
	if len(servers) == 0 {
		servers = []string{DefaultURL}
	}
	shown := make([]string, 0, len(servers))
	for _, s := range servers {
		shown = append(shown, redactURL(s))
	}
	return strings.Join(shown, ", ")
}

// key identifies the identity in the pool without keeping secrets in the
// clear in memory longer than needed.
func (id Identity) key() string {
	b, _ := json.Marshal(id)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// redactURL removes user info from a server URL. It fails closed: anything
// before an '@' goes, even when the URL does not parse (nats.go accepts
// "user:pass@host:4222", which url.Parse reads as a scheme).
func redactURL(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	start := 0
	if i := strings.Index(s, "://"); i >= 0 && i < at {
		start = i + 3
	}
	return s[:start] + "REDACTED" + s[at:]
}

// plausiblePath tells a file path from content pasted where a path belongs
// (a creds file's content has newlines): only a path may be shown.
func plausiblePath(v string) bool {
	return len(v) < 1024 && !strings.ContainsAny(v, "\n\r")
}
