package k3s

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Endpoints whose exact string is fixed: String gives s, ParseEndpoint(s)
// gives e back.
var canonical = []struct {
	name string
	e    Endpoint
	s    string
}{
	{"single", Endpoint{Servers: []string{"nats.example:4222"}},
		"nats://nats.example:4222"},
	{"host without port", Endpoint{Servers: []string{"nats"}},
		"nats://nats"},
	{"ipv6", Endpoint{Servers: []string{"[::1]:4222"}},
		"nats://[::1]:4222"},
	{"multiple servers, params on first only", Endpoint{Servers: []string{"a:4222", "b:4223", "c:4224"}, Bucket: "k3s", Replicas: 3, RevHistory: 20},
		"nats://a:4222?bucket=k3s&replicas=3&revHistory=20,nats://b:4223,nats://c:4224"},
	{"user and password", Endpoint{Servers: []string{"h:4222", "h2:4222"}, User: "kine", Password: "s3cret"},
		"nats://kine:s3cret@h:4222,nats://h2:4222"},
	{"password with every special character KINE passes through", Endpoint{Servers: []string{"h:4222"}, User: "kine", Password: "a$b&c+d;e=f~g.h_i-j"},
		"nats://kine:a$b&c+d;e=f~g.h_i-j@h:4222"},
	{"user with empty password", Endpoint{Servers: []string{"h:4222"}, User: "kine"},
		"nats://kine:@h:4222"},
	{"token", Endpoint{Servers: []string{"h:4222"}, Token: "t0k3n"},
		"nats://t0k3n@h:4222"},
	{"creds file", Endpoint{Servers: []string{"h:4222"}, CredsFile: "/etc/nats/kine.creds"},
		"nats://h:4222?credsFile=%2Fetc%2Fnats%2Fkine.creds"},
	{"creds path with comma, space and ampersand", Endpoint{Servers: []string{"h:4222", "i:4222"}, CredsFile: "/a b,c&d.creds"},
		"nats://h:4222?credsFile=%2Fa+b%2Cc%26d.creds,nats://i:4222"},
	{"context file", Endpoint{ContextFile: "/root/.config/nats/context/kine.json"},
		"nats://?contextFile=%2Froot%2F.config%2Fnats%2Fcontext%2Fkine.json"},
	{"context file and creds", Endpoint{ContextFile: "/c.json", CredsFile: "/k.creds"},
		"nats://?credsFile=%2Fk.creds&contextFile=%2Fc.json"},
	{"all params in order", Endpoint{Servers: []string{"h:1"}, Bucket: "b_1-x", Replicas: 5, RevHistory: 64, SlowMethod: 1500 * time.Millisecond, CredsFile: "c", NoEmbed: true},
		"nats://h:1?bucket=b_1-x&replicas=5&revHistory=64&slowMethod=1.5s&credsFile=c&noEmbed=true"},
	{"minimum numbers", Endpoint{Servers: []string{"h:1"}, Replicas: 1, RevHistory: 2, SlowMethod: time.Nanosecond},
		"nats://h:1?replicas=1&revHistory=2&slowMethod=1ns"},
	{"embedded server in-process", Endpoint{ServerConfig: "/etc/rancher/k3s/nats/server.conf", Bucket: "kine", RevHistory: 10, DontListen: true},
		"nats://?bucket=kine&revHistory=10&serverConfig=%2Fetc%2Francher%2Fk3s%2Fnats%2Fserver.conf&dontListen=true"},
	{"embedded server listening", Endpoint{Servers: []string{"0.0.0.0:4222"}, ServerConfig: "/n.conf"},
		"nats://0.0.0.0:4222?serverConfig=%2Fn.conf"},
	{"embedded server on a random port", Endpoint{Servers: []string{"127.0.0.1"}, ServerConfig: "/n.conf"},
		"nats://127.0.0.1?serverConfig=%2Fn.conf"},
	{"embedded server with every param", Endpoint{ServerConfig: "/a b,c.conf", DataDir: "/var/lib/nats", DontListen: true, StdoutLogging: true, CredsFile: "/k.creds"},
		"nats://?credsFile=%2Fk.creds&serverConfig=%2Fa+b%2Cc.conf&dataDir=%2Fvar%2Flib%2Fnats&dontListen=true&stdoutLogging=true"},
	{"embedded server with defaults only", Endpoint{DontListen: true},
		"nats://?dontListen=true"},
}

func TestStringAndParse(t *testing.T) {
	for _, tc := range canonical {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.e.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := tc.e.String(); got != tc.s {
				t.Errorf("String:\n got %s\nwant %s", got, tc.s)
			}
			got, err := ParseEndpoint(tc.s)
			if err != nil {
				t.Fatalf("ParseEndpoint: %v", err)
			}
			if !reflect.DeepEqual(got, tc.e) {
				t.Errorf("ParseEndpoint:\n got %#v\nwant %#v", got, tc.e)
			}
		})
	}
}

// Strings KINE accepts that are not in canonical form.
func TestParseAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    string
		want Endpoint
	}{
		{"legacy jetstream", "jetstream://nats://h:4222?bucket=b",
			Endpoint{Servers: []string{"h:4222"}, Bucket: "b", NoEmbed: true}},
		{"trailing slash", "nats://h:4222/?replicas=3",
			Endpoint{Servers: []string{"h:4222"}, Replicas: 3}},
		{"context file with slash", "nats:///?contextFile=/c.json",
			Endpoint{ContextFile: "/c.json"}},
		{"params in another order, unencoded path", "nats://h:4222?noEmbed&credsFile=/k.creds&revHistory=012",
			Endpoint{Servers: []string{"h:4222"}, CredsFile: "/k.creds", RevHistory: 12, NoEmbed: true}},
		{"noEmbed=1", "nats://h?noEmbed=1", Endpoint{Servers: []string{"h"}, NoEmbed: true}},
		{"empty values mean KINE's default", "nats://h?bucket=&replicas=&revHistory=&slowMethod=",
			Endpoint{Servers: []string{"h"}}},
		{"unneeded percent-encoding in the password", "nats://u:p%41ss@h",
			Endpoint{Servers: []string{"h"}, User: "u", Password: "pAss"}},
		{"upper-case scheme on a later URL", "nats://a,NATS://b",
			Endpoint{Servers: []string{"a", "b"}}},
		{"empty userinfo", "nats://@h", Endpoint{Servers: []string{"h"}}},
		{"embedded flags without values", "nats://?serverConfig=/n.conf&dontListen&stdoutLogging=1",
			Endpoint{ServerConfig: "/n.conf", DontListen: true, StdoutLogging: true}},
		{"embedded with slash", "nats:///?dataDir=/d", Endpoint{DataDir: "/d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEndpoint(tc.s)
			if err != nil {
				t.Fatalf("ParseEndpoint: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

// A Servers entry may carry nats://; String is the same either way.
func TestServersWithScheme(t *testing.T) {
	a := Endpoint{Servers: []string{"nats://a:1", "nats://b:2"}, Token: "t"}
	b := Endpoint{Servers: []string{"a:1", "b:2"}, Token: "t"}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("%s != %s", a, b)
	}
}

// Strings KINE rejects, or would silently misread: the error names the
// param or part, and never the secret.
func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		s, want string
	}{
		{"http://h:4222", "must start with nats://"},
		{"NATS://h:4222", "must start with nats://"},
		{"h:4222", "must start with nats://"},
		{"jetstream://h:4222", "jetstream://nats://"},
		{"nats://h?replicas=three", "param replicas"},
		{"nats://h?replicas=+3", "param replicas"},
		{"nats://h?replicas=0", "param replicas"},
		{"nats://h?replicas=6", "param replicas"},
		{"nats://h?replicas=-1", "param replicas"},
		{"nats://h?replicas=999999999999999999999", "param replicas"},
		{"nats://h?revHistory=1", "param revHistory"},
		{"nats://h?revHistory=65", "param revHistory"},
		{"nats://h?revHistory=ten", "param revHistory"},
		{"nats://h?slowMethod=fast", "param slowMethod"},
		{"nats://h?slowMethod=0s", "param slowMethod"},
		{"nats://h?slowMethod=-1s", "param slowMethod"},
		{"nats://h?Replicas=3", "the name is replicas"},
		{"nats://h?replica=3", "param replica: unknown"},
		{"nats://h?bucket=a&bucket=b", "param bucket: given 2 times"},
		{"nats://h?dontListen", "must be empty with DontListen"},
		{"nats://?dontListen=false", "param dontListen"},
		{"nats://?stdoutLogging=no", "param stdoutLogging"},
		{"nats://?serverConfig=/a&serverConfig=/b", "param serverConfig: given 2 times"},
		{"nats://?ServerConfig=/x", "the name is serverConfig"},
		{"nats://?serverConfig=/x&noEmbed", "NoEmbed"},
		{"nats://?serverConfig=/x&contextFile=/c.json", "ContextFile"},
		{"nats://a?serverConfig=/x,nats://b", "first URL's host and port only"},
		{"jetstream://nats://h?serverConfig=/x", "legacy jetstream:// endpoints never start"},
		{"nats://h?noEmbed=false", "param noEmbed"},
		{"nats://h?bucket=a.b", "Bucket"},
		{"nats://h?a=1;b=2", "params"},
		{"nats://a,nats://b?replicas=3", "URL 2: KINE reads params only from the first URL"},
		{"nats://a,nats://u:p@b", "URL 2: KINE ignores credentials"},
		{"nats://a,b:4222", "URL 2"},
		{"nats://a,tls://b:4222", `URL 2: scheme "tls"`},
		{"nats://a/kine", "path"},
		{"nats://a#x", "fragment"},
		{"nats://", "URL 1"},
		{"nats://?bucket=x", "URL 1"},
		{"nats://:4222", "no host"},
		{"nats://h:0", "port"},
		{"nats://h:70000", "port"},
		{"nats://h:abc", "URL 1"},
		{"nats://h:4222?contextFile=/c.json", "ContextFile"},
		{"nats://u:pw@?contextFile=/c.json", "ContextFile"},
		{"nats://?contextFile=/c.json,nats://b", "ContextFile"},
		{"nats://t@h?credsFile=/k", "at most one identity"},
		{"nats://:pw@h", "User: required"},
		{"nats://u:p%40ss@h", "password"},
		{"nats://u:p!ss@h", "password"},
		{"nats://u:p%3Ass@h", "password"},
		{"nats://u:p%2Css@h", "password"},
		{"nats://t%40k@h", "token"},
		{"nats://u%3Ax:pw@h", "user"},
		{"nats://u:p%zzss@h", "URL 1: not a valid URL"},
	} {
		t.Run(tc.s, func(t *testing.T) {
			_, err := ParseEndpoint(tc.s)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			for _, secret := range []string{"pw", "p%40ss", "p@ss", "p!ss", "t%40k", "p%zzss", "p%3Ass"} {
				if strings.Contains(tc.s, secret) && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows the secret %q", err, secret)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := Endpoint{Servers: []string{"h:4222"}}
	for _, tc := range []struct {
		name  string
		edit  func(*Endpoint)
		field string
	}{
		{"no servers", func(e *Endpoint) { e.Servers = nil }, "Servers"},
		{"empty server", func(e *Endpoint) { e.Servers = []string{""} }, "Servers[0]"},
		{"tls scheme", func(e *Endpoint) { e.Servers = []string{"h:1", "tls://h:4222"} }, "Servers[1]"},
		{"server with path", func(e *Endpoint) { e.Servers = []string{"h:4222/x"} }, "Servers[0]"},
		{"server with comma", func(e *Endpoint) { e.Servers = []string{"h:1,h2:2"} }, "Servers[0]"},
		{"server with bad port", func(e *Endpoint) { e.Servers = []string{"h:x"} }, "Servers[0]"},
		{"server with non-ASCII host", func(e *Endpoint) { e.Servers = []string{"b\u00fccher.example:4222"} }, "Servers[0]"},
		{"server with invalid UTF-8", func(e *Endpoint) { e.Servers = []string{"\xff:4222"} }, "Servers[0]"},
		{"server with bad IPv6", func(e *Endpoint) { e.Servers = []string{"[zz]:4222"} }, "Servers[0]"},
		{"server with credentials", func(e *Endpoint) { e.Servers = []string{"u:pw@h:1"} }, "Servers[0]"},
		{"context and servers", func(e *Endpoint) { e.ContextFile = "/c" }, "Servers"},
		{"context and user", func(e *Endpoint) { e.Servers, e.ContextFile, e.User, e.Password = nil, "/c", "u", "pw" }, "User/Password/Token"},
		{"two identities", func(e *Endpoint) { e.Token, e.CredsFile = "t", "/c" }, "at most one identity"},
		{"user and token", func(e *Endpoint) { e.User, e.Password, e.Token = "u", "pw", "t" }, "at most one identity"},
		{"password alone", func(e *Endpoint) { e.Password = "pw" }, "User: required"},
		{"user with colon", func(e *Endpoint) { e.User, e.Password = "a:b", "pw" }, "User:"},
		{"password with @", func(e *Endpoint) { e.User, e.Password = "u", "p@ss" }, "Password:"},
		{"password with comma", func(e *Endpoint) { e.User, e.Password = "u", "p,ss" }, "Password:"},
		{"password with percent", func(e *Endpoint) { e.User, e.Password = "u", "p%41" }, "Password:"},
		{"token with slash", func(e *Endpoint) { e.Token = "t/k" }, "Token:"},
		{"bucket", func(e *Endpoint) { e.Bucket = "a.b" }, "Bucket:"},
		{"replicas low", func(e *Endpoint) { e.Replicas = -1 }, "Replicas:"},
		{"replicas high", func(e *Endpoint) { e.Replicas = 6 }, "Replicas:"},
		{"revHistory low", func(e *Endpoint) { e.RevHistory = 1 }, "RevHistory:"},
		{"revHistory high", func(e *Endpoint) { e.RevHistory = 65 }, "RevHistory:"},
		{"slowMethod", func(e *Endpoint) { e.SlowMethod = -time.Second }, "SlowMethod:"},
		{"embedded and noEmbed", func(e *Endpoint) { e.ServerConfig, e.NoEmbed = "/n.conf", true }, "NoEmbed:"},
		{"dontListen with a host", func(e *Endpoint) { e.DontListen = true }, "Servers:"},
		{"embedded on two servers", func(e *Endpoint) { e.ServerConfig, e.Servers = "/n.conf", []string{"a:1", "b:2"} }, "Servers:"},
		{"embedded with a context", func(e *Endpoint) { e.Servers, e.DataDir, e.ContextFile = nil, "/d", "/c" }, "ContextFile:"},
		{"embedded with a bad listen address", func(e *Endpoint) { e.ServerConfig, e.Servers = "/n.conf", []string{"h:0"} }, "Servers[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ok
			e.Servers = append([]string(nil), ok.Servers...)
			tc.edit(&e)
			err := e.Validate()
			if err == nil {
				t.Fatalf("no error, want one naming %s", tc.field)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
			for _, secret := range []string{"pw", "p@ss", "p,ss", "p%41", "t/k"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows the secret %q", err, secret)
				}
			}
		})
	}
}

func TestRedactedAndSensitive(t *testing.T) {
	for _, tc := range []struct {
		e         Endpoint
		redacted  string
		sensitive bool
	}{
		{Endpoint{Servers: []string{"h:1", "i:2"}, User: "kine", Password: "s3cret", Bucket: "b"}, "nats://kine:REDACTED@h:1?bucket=b,nats://i:2", true},
		{Endpoint{Servers: []string{"h:1"}, Token: "t0k3n"}, "nats://REDACTED@h:1", true},
		{Endpoint{Servers: []string{"h:1"}, User: "kine"}, "nats://kine:@h:1", false},
		{Endpoint{Servers: []string{"h:1"}, CredsFile: "/k.creds"}, "nats://h:1?credsFile=%2Fk.creds", false},
	} {
		if got := tc.e.Redacted(); got != tc.redacted {
			t.Errorf("Redacted = %s, want %s", got, tc.redacted)
		}
		if got := tc.e.Sensitive(); got != tc.sensitive {
			t.Errorf("%s: Sensitive = %t", tc.redacted, got)
		}
		if tc.e.Sensitive() && tc.e.Redacted() == tc.e.String() {
			t.Errorf("%s: Redacted leaves the secret", tc.redacted)
		}
	}
}

func TestK3sConfig(t *testing.T) {
	for _, tc := range canonical {
		t.Run(tc.name, func(t *testing.T) {
			snippet := K3sConfig(tc.e, TLSFiles{})
			if !strings.HasPrefix(snippet, `datastore-endpoint: "`) || !strings.HasSuffix(snippet, "\"\n") {
				t.Errorf("snippet %q is not one double-quoted key", snippet)
			}
			var doc map[string]any
			if err := yaml.Unmarshal([]byte(snippet), &doc); err != nil {
				t.Fatalf("not YAML: %v\n%s", err, snippet)
			}
			if len(doc) != 1 || doc["datastore-endpoint"] != tc.e.String() {
				t.Errorf("YAML reads %#v, want datastore-endpoint: %s", doc, tc.e)
			}
		})
	}
}

func TestKineArgs(t *testing.T) {
	e := Endpoint{Servers: []string{"h:4222"}, Bucket: "b", NoEmbed: true}
	want := []string{"--endpoint=nats://h:4222?bucket=b&noEmbed=true", "--listen-address=127.0.0.1:2379"}
	if got := KineArgs(e, TLSFiles{}); !reflect.DeepEqual(got, want) {
		t.Errorf("KineArgs = %q, want %q", got, want)
	}
	tls := TLSFiles{CA: "/etc/nats/ca.pem", Cert: "/etc/nats/kine.pem", Key: "/etc/nats/kine-key.pem"}
	want = append(want, "--ca-file=/etc/nats/ca.pem", "--cert-file=/etc/nats/kine.pem", "--key-file=/etc/nats/kine-key.pem")
	if got := KineArgs(e, tls); !reflect.DeepEqual(got, want) {
		t.Errorf("KineArgs with TLS = %q, want %q", got, want)
	}
}

// The TLS files become k3s' datastore-cafile, -certfile and -keyfile keys,
// each read back as the exact path.
func TestK3sConfigTLS(t *testing.T) {
	e := Endpoint{Servers: []string{"h:4222"}}
	tls := TLSFiles{CA: "/etc/nats/ca: #1.pem", Cert: "/c.pem", Key: "/k.pem"}
	var doc map[string]string
	if err := yaml.Unmarshal([]byte(K3sConfig(e, tls)), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"datastore-endpoint": e.String(), "datastore-cafile": tls.CA, "datastore-certfile": tls.Cert, "datastore-keyfile": tls.Key}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("K3sConfig reads %q, want %q", doc, want)
	}
	var caOnly map[string]string
	if err := yaml.Unmarshal([]byte(K3sConfig(e, TLSFiles{CA: "/ca.pem"})), &caOnly); err != nil || len(caOnly) != 2 {
		t.Errorf("a CA alone should add one key: %q, %v", caOnly, err)
	}
}

func TestKineServers(t *testing.T) {
	got := KineServers([]string{"tls://a:4222", "nats://b:4222", "c:4222", "TLS://d:4443", "ws://e:80"})
	want := []string{"a:4222", "nats://b:4222", "c:4222", "d:4443", "ws://e:80"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("KineServers = %q, want %q", got, want)
	}
	e := Endpoint{Servers: got[:4]}
	if err := e.Validate(); err != nil {
		t.Errorf("servers from tls:// URLs do not make a valid endpoint: %v", err)
	}
}
