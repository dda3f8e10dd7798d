package k3s

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// redacted replaces secrets in Redacted's output.
const redacted = "REDACTED"

// String is the endpoint as KINE reads it: nats:// URLs joined by commas,
// identity and query params on the first URL only (KINE ignores them
// elsewhere), params in a fixed order, numbers in decimal. It is meaningful
// only for an endpoint that passes Validate.
func (e Endpoint) String() string { return e.format(false) }

// Redacted is String with the password or token replaced by "REDACTED", for
// logs and messages.
func (e Endpoint) Redacted() string { return e.format(true) }

func (e Endpoint) format(redact bool) string {
	var b strings.Builder
	b.WriteString("nats://")
	switch {
	case e.User != "":
		b.WriteString(e.User)
		b.WriteByte(':')
		b.WriteString(secret(e.Password, redact))
		b.WriteByte('@')
	case e.Token != "":
		b.WriteString(secret(e.Token, redact))
		b.WriteByte('@')
	}
	if len(e.Servers) > 0 {
		b.WriteString(strings.TrimPrefix(e.Servers[0], "nats://"))
	}
	if q := e.query(); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	for _, s := range e.Servers[min(1, len(e.Servers)):] {
		b.WriteString(",nats://")
		b.WriteString(strings.TrimPrefix(s, "nats://"))
	}
	return b.String()
}

func secret(s string, redact bool) string {
	if redact && s != "" {
		return redacted
	}
	return s
}

// query encodes the params that differ from "leave it to KINE". Values are
// query-escaped, which also escapes ',' so KINE's split on ',' cannot cut a
// path in two.
func (e Endpoint) query() string {
	var p []string
	add := func(k, v string) { p = append(p, k+"="+url.QueryEscape(v)) }
	if e.Bucket != "" {
		add("bucket", e.Bucket)
	}
	if e.Replicas != 0 {
		add("replicas", strconv.Itoa(e.Replicas))
	}
	if e.RevHistory != 0 {
		add("revHistory", strconv.Itoa(e.RevHistory))
	}
	if e.SlowMethod != 0 {
		add("slowMethod", e.SlowMethod.String())
	}
	if e.CredsFile != "" {
		add("credsFile", e.CredsFile)
	}
	if e.ContextFile != "" {
		add("contextFile", e.ContextFile)
	}
	if e.NoEmbed {
		add("noEmbed", "true")
	}
	if e.ServerConfig != "" {
		add("serverConfig", e.ServerConfig)
	}
	if e.DataDir != "" {
		add("dataDir", e.DataDir)
	}
	if e.DontListen {
		add("dontListen", "true")
	}
	if e.StdoutLogging {
		add("stdoutLogging", "true")
	}
	return strings.Join(p, "&")
}

// K3sConfig is the snippet for /etc/rancher/k3s/config.yaml that points
// k3s at this endpoint, with the TLS files that are set. Values are
// double-quoted scalars (JSON string syntax, which YAML reads the same
// way), so '&', '#', '?' and ':' in them cannot be taken for YAML syntax.
func K3sConfig(e Endpoint, tls TLSFiles) string {
	var b strings.Builder
	b.WriteString("datastore-endpoint: " + quote(e.String()) + "\n")
	for _, f := range tls.flags() {
		b.WriteString(f.k3s + ": " + quote(f.path) + "\n")
	}
	return b.String()
}

// TLSFiles are paths, on the k3s hosts, of the TLS material for KINE's
// connection to NATS. A CA makes that connection TLS even to a nats://
// address; a certificate and key authenticate it to servers that verify
// clients.
type TLSFiles struct {
	CA, Cert, Key string
}

type tlsFlag struct{ k3s, kine, path string }

// flags are the set files with their k3s config key and kine flag.
func (t TLSFiles) flags() []tlsFlag {
	var out []tlsFlag
	for _, f := range []tlsFlag{
		{"datastore-cafile", "--ca-file", t.CA},
		{"datastore-certfile", "--cert-file", t.Cert},
		{"datastore-keyfile", "--key-file", t.Key},
	} {
		if f.path != "" {
			out = append(out, f)
		}
	}
	return out
}

func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

// KineListenAddress is where KineArgs makes a standalone kine serve the
// etcd API. kine's own default, 0.0.0.0:2379, would offer the datastore
// without authentication to the whole network.
const KineListenAddress = "127.0.0.1:2379"

// KineArgs are the arguments that run the kine binary standalone against
// this endpoint, with tls for its connection to NATS.
func KineArgs(e Endpoint, tls TLSFiles) []string {
	args := []string{
		"--endpoint=" + e.String(),
		"--listen-address=" + KineListenAddress,
	}
	for _, f := range tls.flags() {
		args = append(args, f.kine+"="+f.path)
	}
	return args
}
