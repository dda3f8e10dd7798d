package k3s

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// FuzzEndpointRoundTrip: every valid Endpoint survives String and
// ParseEndpoint unchanged (Servers lose an optional nats:// prefix), and
// its Redacted form still parses. `go test` runs the seeds; run the fuzzer
// with `go test -fuzz FuzzEndpointRoundTrip ./internal/k3s`.
func FuzzEndpointRoundTrip(f *testing.F) {
	type seed struct {
		servers                   string // split on '|'
		user, pass, token, bucket string
		replicas, revHistory      int
		slow                      int64
		creds, context            string
		noEmbed, schemeOnServers  bool
		serverConfig, dataDir     string
		dontListen, stdoutLogging bool
	}
	for _, s := range []seed{
		{servers: "h:4222"},
		{servers: "a:1|b:2|c:3", user: "kine", pass: "a$b&c+d;e=f", bucket: "kine", replicas: 3, revHistory: 64, slow: int64(time.Second)},
		{servers: "[::1]:4222", token: "tok", noEmbed: true, schemeOnServers: true},
		{servers: "h", creds: "/etc/nats/a b,c&d?.creds", slow: 1},
		{context: "/root/ctx.json", creds: "/k.creds"},
		{servers: "h:1", user: "u", pass: "p@ss"},   // invalid: skipped
		{servers: "h:1", replicas: 7},               // invalid: skipped
		{servers: "h:1", creds: "\x00\xff%zz+ =&#"}, // odd bytes in a path
		{servers: "h:1", bucket: "b", revHistory: 2},
		{servers: "\xff", user: "0", pass: "0"}, // invalid: not a host name
		{servers: "[fe80::1%25en0]:4222"},       // invalid: zone
		{serverConfig: "/etc/rancher/k3s/nats/server.conf", bucket: "kine", revHistory: 10, dontListen: true},
		{servers: "0.0.0.0:4222", serverConfig: "/a b,c&d?.conf", dataDir: "/var/lib/x", stdoutLogging: true},
		{servers: "h:1", dontListen: true}, // invalid: a host with dontListen
		{dataDir: "/d", user: "u", pass: "p"},
	} {
		f.Add(s.servers, s.user, s.pass, s.token, s.bucket, s.replicas, s.revHistory, s.slow, s.creds, s.context, s.noEmbed, s.schemeOnServers,
			s.serverConfig, s.dataDir, s.dontListen, s.stdoutLogging)
	}
	f.Fuzz(func(t *testing.T, servers, user, pass, token, bucket string, replicas, revHistory int, slow int64, creds, context string, noEmbed, schemeOnServers bool,
		serverConfig, dataDir string, dontListen, stdoutLogging bool) {
		e := Endpoint{
			User: user, Password: pass, Token: token, Bucket: bucket,
			Replicas: replicas, RevHistory: revHistory, SlowMethod: time.Duration(slow),
			CredsFile: creds, ContextFile: context, NoEmbed: noEmbed,
			ServerConfig: serverConfig, DataDir: dataDir, DontListen: dontListen, StdoutLogging: stdoutLogging,
		}
		if servers != "" {
			e.Servers = strings.Split(servers, "|")
		}
		if e.Validate() != nil {
			t.Skip()
		}
		// ParseEndpoint gives servers as host:port.
		want := e
		want.Servers = nil
		for _, s := range e.Servers {
			want.Servers = append(want.Servers, strings.TrimPrefix(s, "nats://"))
		}
		if schemeOnServers {
			e.Servers = nil
			for _, s := range want.Servers {
				e.Servers = append(e.Servers, "nats://"+s)
			}
		}
		s := e.String()
		got, err := ParseEndpoint(s)
		if err != nil {
			t.Fatalf("ParseEndpoint(%q): %v", s, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseEndpoint(%q):\n got %#v\nwant %#v", s, got, want)
		}
		if _, err := ParseEndpoint(e.Redacted()); err != nil {
			t.Fatalf("ParseEndpoint(Redacted %q): %v", e.Redacted(), err)
		}
		var doc map[string]string
		if err := yaml.Unmarshal([]byte(K3sConfig(e, TLSFiles{})), &doc); err != nil || doc["datastore-endpoint"] != s {
			t.Fatalf("K3sConfig %q reads back as %q, %v", K3sConfig(e, TLSFiles{}), doc, err)
		}
	})
}

// FuzzParseEndpoint: whatever ParseEndpoint accepts is valid, and its
// String parses back to the same Endpoint.
func FuzzParseEndpoint(f *testing.F) {
	for _, tc := range canonical {
		f.Add(tc.s)
	}
	for _, s := range []string{
		"jetstream://nats://h:4222?bucket=b", "nats://u:p%41ss@h", "nats://a,NATS://b",
		"nats://h?noEmbed&revHistory=012", "nats://u:p%40ss@h", "nats://h?replicas=+3",
		"nats://?serverConfig=/n.conf&dontListen", "nats://u:p@?dataDir=/d", "nats://h?stdoutLogging&serverConfig=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEndpoint(s)
		if err != nil {
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("ParseEndpoint(%q) = %#v, which is invalid: %v", s, e, err)
		}
		again, err := ParseEndpoint(e.String())
		if err != nil {
			t.Fatalf("ParseEndpoint(%q).String() = %q does not parse: %v", s, e.String(), err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("%q: parsed %#v, its String parses to %#v", s, e, again)
		}
	})
}
