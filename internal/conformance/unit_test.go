package conformance

import (
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	kinetls "github.com/k3s-io/kine/pkg/tls"
	"github.com/sirupsen/logrus"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

func TestCovers(t *testing.T) {
	cases := []struct {
		pattern, need string
		want          bool
	}{
		{"$JS.API.>", "$JS.API.CONSUMER.CREATE.KV_b.>", true},
		{"$JS.API.CONSUMER.CREATE.KV_b.>", "$JS.API.CONSUMER.CREATE.KV_b.>", true},
		{"$JS.API.CONSUMER.CREATE.KV_b.*", "$JS.API.CONSUMER.CREATE.KV_b.>", false},
		{"$JS.API.CONSUMER.CREATE.*.>", "$JS.API.CONSUMER.CREATE.KV_b.>", true},
		{"$JS.API.STREAM.CREATE.KV_b", "$JS.API.STREAM.CREATE.KV_b", true},
		{"$JS.API.STREAM.CREATE.KV_c", "$JS.API.STREAM.CREATE.KV_b", false},
		{"$JS.API.STREAM.*.KV_b", "$JS.API.STREAM.INFO.KV_b", true},
		{"$JS.API.STREAM.CREATE", "$JS.API.STREAM.CREATE.KV_b", false},
		{"$JS.API.STREAM.CREATE.KV_b.x", "$JS.API.STREAM.CREATE.KV_b", false},
		{">", "_INBOX.>", true},
		{"_INBOX.*", "_INBOX.>", false},
	}
	for _, c := range cases {
		if got := covers(c.pattern, c.need); got != c.want {
			t.Errorf("covers(%q, %q) = %v, want %v", c.pattern, c.need, got, c.want)
		}
	}
}

func TestIntersects(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"$KV.b.>", "$KV.b.secret", true},
		{"$KV.b.*", "$KV.b.x.y", false},
		{"$KV.*.x", "$KV.b.>", true},
		{"$KV.c.>", "$KV.b.>", false},
		{"a.b", "a.b", true},
		{"a.b", "a.b.c", false},
		{">", "x", true},
	}
	for _, c := range cases {
		if got := intersects(c.a, c.b); got != c.want {
			t.Errorf("intersects(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := intersects(c.b, c.a); got != c.want {
			t.Errorf("intersects(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
}

func TestJWTVerdict(t *testing.T) {
	pub, sub := k3s.Permissions("jv", "")
	acc, err := operator.CreateAccount(bg(), "jwtverdict")
	if err != nil {
		t.Fatal(err)
	}
	exact, err := acc.User("exact", pub, sub)
	if err != nil {
		t.Fatal(err)
	}
	if denied, ok := jwtVerdict(exact, pub, sub); !ok || len(denied) != 0 {
		t.Errorf("exact permissions: denied %v, ok %v", denied, ok)
	}
	wide, err := acc.User("wide", []string{"$JS.API.>", "$KV.jv.>"}, []string{"_INBOX.>"})
	if err != nil {
		t.Fatal(err)
	}
	if denied, ok := jwtVerdict(wide, pub, sub); !ok || len(denied) != 0 {
		t.Errorf("wildcard permissions: denied %v, ok %v", denied, ok)
	}
	narrow, err := acc.User("narrow", []string{"$JS.API.INFO", "$KV.jv.>"}, []string{"_INBOX.x"})
	if err != nil {
		t.Fatal(err)
	}
	denied, ok := jwtVerdict(narrow, pub, sub)
	if !ok || len(denied) != len(pub)-2+1 {
		t.Errorf("narrow permissions: denied %v", denied)
	}
	if _, ok := jwtVerdict(acc.Creds, pub, sub); ok {
		t.Error("a user without permissions of its own says nothing")
	}
	if _, ok := jwtVerdict([]byte("not creds"), pub, sub); ok {
		t.Error("garbage is not a verdict")
	}
}

func TestParseVersion(t *testing.T) {
	for v, want := range map[string][2]int{"2.12.0": {2, 12}, "v2.15.2": {2, 15}, "2.12-RC.1": {2, 12}, "3.0.0-beta": {3, 0}} {
		major, minor, ok := parseVersion(v)
		if !ok || major != want[0] || minor != want[1] {
			t.Errorf("parseVersion(%q) = %d, %d, %v", v, major, minor, ok)
		}
	}
	for _, v := range []string{"", "2", "x.y"} {
		if _, _, ok := parseVersion(v); ok {
			t.Errorf("parseVersion(%q) should fail", v)
		}
	}
}

// TestTwoMiBIsNotEnough stores a 1.5 MiB object through real KINE on a
// server with max_payload 2 MiB: it fails, so RequiredMaxPayload must be
// above 2 MiB (and the full profile proves it is enough).
func TestTwoMiBIsNotEnough(t *testing.T) {
	t.Parallel()
	if RequiredMaxPayload <= 2<<20 || RequiredMaxPayload > 2<<20+64<<10 {
		t.Fatalf("RequiredMaxPayload %d is not just above 2 MiB", RequiredMaxPayload)
	}
	ctx, cancel := context.WithTimeout(bg(), 20*time.Second)
	defer cancel()
	k, err := startKine(ctx, bg(), "nats://"+strings.TrimPrefix(tight.URL, "nats://")+"?bucket=tight", kinetls.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := k.stop(); err != nil {
			t.Error(err)
		}
	}()
	val := make([]byte, LargeObject)
	_, _ = rand.Read(val)
	_, ok, err := create(ctx, k.client, "/registry/secrets/big", string(val))
	if err == nil || ok || !strings.Contains(err.Error(), "maximum payload exceeded") {
		t.Fatalf("a 1.5 MiB object on a 2 MiB max_payload server: ok %v, err %v", ok, err)
	}
}

func TestTwinName(t *testing.T) {
	long := strings.Repeat("b", 200)
	n := twinName(long, newRunID())
	if len(n) > 60 || !regexp.MustCompile(`^[a-zA-Z0-9_-]+$`).MatchString(n) {
		t.Errorf("twin name %q is not a short valid bucket name", n)
	}
	if a, b := twinName("x", newRunID()), twinName("x", newRunID()); a == b {
		t.Errorf("twin names repeat: %s", a)
	}
}

func TestRedact(t *testing.T) {
	got := redact("login s3cr3t-pass failed for tok", []string{"s3cr3t-pass", "", "tok"})
	if got != "login REDACTED failed for tok" {
		t.Errorf("redact = %q (secrets shorter than 4 characters are left: they would mangle text)", got)
	}
}

// Two checks running at once: a KINE line naming one check goes to it
// alone, an unattributable line to both, and neither sees the other's
// secrets.
func TestLogRouting(t *testing.T) {
	var lr logRouter
	lr.once.Do(func() {}) // fed directly below, not through logrus
	a := lr.attach([]string{"password-of-a"}, []string{"run-a", "KV_a"})
	b := lr.attach([]string{"password-of-b"}, []string{"run-b", "KV_b"})
	fire := func(msg string) {
		if err := lr.Fire(&logrus.Entry{Level: logrus.ErrorLevel, Message: msg}); err != nil {
			t.Fatal(err)
		}
	}
	fire("range /registry/zz-nats-provider-conformance/run-a/x failed, auth password-of-b")
	fire("stream KV_b has no leader")
	fire("nats: connection closed for password-of-a")
	gotA, gotB := a.since(0, 10), b.since(0, 10)
	wantA := []string{
		"error: range /registry/zz-nats-provider-conformance/run-a/x failed, auth REDACTED",
		"error: nats: connection closed for REDACTED",
	}
	wantB := []string{"error: stream KV_b has no leader", "error: nats: connection closed for REDACTED"}
	if !slices.Equal(gotA, wantA) || !slices.Equal(gotB, wantB) {
		t.Errorf("check a got %q, want %q\ncheck b got %q, want %q", gotA, wantA, gotB, wantB)
	}
	lr.detach(a)
	fire("after a left")
	if got := a.since(0, 10); len(got) != 2 {
		t.Errorf("a detached check still receives lines: %q", got)
	}
}

func TestSummary(t *testing.T) {
	r := &Report{Profile: ProfileQuick, KineVersion: "v0.17.5", ServerVersion: "2.15.2", Duration: time.Second, Steps: []Step{
		{Name: StepEndpoint, OK: true},
		{Name: StepMaxPayload, Detail: "the server's max_payload is 1 MiB", Hint: "raise it"},
		{Name: StepBucketConfig, Detail: "History differs", Hint: "match it"},
	}}
	s := r.Summary()
	for _, want := range []string{`failed at step "max payload"`, "max_payload is 1 MiB", "What to do: raise it", "Also failed: bucket config", "v0.17.5", "2.15.2"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
	if f := r.Failed(); f == nil || f.Name != StepMaxPayload {
		t.Errorf("Failed() = %+v", f)
	}
}

func TestFailedAndSkippedReports(t *testing.T) {
	f := Failed(Options{}, "connect", errors.New("dial: refused"))
	if f.Passed || f.Failed() == nil || f.Failed().Name != "connect" || !strings.Contains(f.Summary(), "dial: refused") || f.Profile != ProfileQuick {
		t.Errorf("Failed report: %+v / %s", f, f.Summary())
	}
	s := Skipped(Options{Profile: ProfileFull}, "target", "the bucket is in another domain")
	if !s.Passed || s.Failed() != nil || !strings.Contains(s.Summary(), "was not run: the bucket is in another domain") {
		t.Errorf("Skipped report: %+v / %s", s, s.Summary())
	}
}
