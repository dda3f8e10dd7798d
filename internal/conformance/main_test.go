package conformance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The servers every test shares, started once.
var (
	// single has exactly the max_payload the check demands, so the full
	// profile's 1.5 MiB step proves RequiredMaxPayload is enough.
	single *testnats.Server
	// cluster is a 3-node JetStream cluster for replicas 3.
	cluster *testnats.Cluster
	// small has the NATS default max_payload of 1 MiB.
	small *testnats.Server
	// operator runs in operator mode, for users with limited permissions.
	operator *testnats.Operator
	// doomed is stopped in the middle of a check.
	doomed *testnats.Server
	// tight has a max_payload of exactly 2 MiB: a 1.5 MiB object does not
	// fit KINE's encoding.
	tight *testnats.Server
)

func TestMain(m *testing.M) {
	tempDone, err := testnats.IsolateTemp(TempPrefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Every check has ended: none may have left a file behind.
	if err := tempDone(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	// Every server is down now, so whatever still runs is the check's or
	// KINE's: nothing may be left.
	if err := goleak.Find(kineWatchLeak, mirrorSetupWait); err != nil {
		fmt.Fprintf(os.Stderr, "goroutines leaked: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

// kineWatchLeak is KINE's own leak, not the check's: its NATS watch
// handler sends to a 100-entry channel without a way out, so a watch
// stopped with more than 100 undelivered events (a replay of a bucket of
// thousands of keys, as the benchmarks fill) blocks that NATS
// subscription's goroutine for good. It holds at most 100 entries and ends
// with the provider process.
var kineWatchLeak = goleak.IgnoreTopFunction("github.com/k3s-io/kine/pkg/drivers/nats.(*KeyValue).Watch.func1")

// mirrorSetupWait is the server's, not the check's: a mirror whose source
// never answers has nats-server wait 30 s for a consumer that will not
// come, in a goroutine that outlives the server's shutdown.
var mirrorSetupWait = goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*stream).setupMirrorConsumer.func3")

func runTests(m *testing.M) (int, error) {
	var err error
	if single, err = testnats.Start(testnats.Config{MaxPayload: RequiredMaxPayload}); err != nil {
		return 0, err
	}
	defer single.Shutdown()
	if cluster, err = testnats.StartCluster(3, ""); err != nil {
		return 0, err
	}
	defer cluster.Shutdown()
	if small, err = testnats.Start(testnats.Config{MaxPayload: 1 << 20}); err != nil {
		return 0, err
	}
	defer small.Shutdown()
	if operator, err = testnats.StartOperator(testnats.OperatorOptions{}); err != nil {
		return 0, err
	}
	defer operator.Shutdown()
	if doomed, err = testnats.Start(testnats.Config{}); err != nil {
		return 0, err
	}
	defer doomed.Shutdown()
	if tight, err = testnats.Start(testnats.Config{MaxPayload: 2 << 20}); err != nil {
		return 0, err
	}
	defer tight.Shutdown()
	// Keep a stream in each account that tests create and delete buckets in:
	// see testnats.Anchor for the server race it avoids.
	for _, s := range []*testnats.Server{single, cluster.Servers[0], small, tight} {
		if err := testnats.Anchor(s.URL); err != nil {
			return 0, err
		}
	}
	return m.Run(), nil
}

// connect dials url for one test and closes the connection after it.
func connect(t testing.TB, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func js(t testing.TB, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	j, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// endpointFor is a KINE endpoint for the servers of a test.
func endpointFor(urls []string, bucket string, replicas int) Target {
	var servers []string
	for _, u := range urls {
		// KINE dials host:port as nats:// and sets TLS from its own flags.
		if _, hostPort, ok := strings.Cut(u, "://"); ok {
			u = hostPort
		}
		servers = append(servers, u)
	}
	var t Target
	t.Endpoint.Servers = servers
	t.Endpoint.Bucket = bucket
	t.Endpoint.Replicas = replicas
	return t
}

// logReport prints every step, for reading test output.
func logReport(t testing.TB, r *Report) {
	t.Helper()
	for _, s := range r.Steps {
		state := "ok"
		switch {
		case s.Skipped:
			state = "skip"
		case !s.OK:
			state = "FAIL"
		}
		t.Logf("%-4s %-18s %8s  %s", state, s.Name, s.Duration.Round(time.Millisecond), s.Detail)
	}
	t.Logf("summary: %s", r.Summary())
}

func mustPass(t testing.TB, r *Report) {
	t.Helper()
	if testing.Verbose() && r.Passed {
		logReport(t, r)
	}
	if !r.Passed {
		logReport(t, r)
		t.Fatalf("check failed: %s", r.Summary())
	}
}

// mustFailAt asserts that the first failed step is name and its detail
// mentions every one of want.
func mustFailAt(t testing.TB, r *Report, name string, want ...string) *Step {
	t.Helper()
	f := r.Failed()
	if r.Passed || f == nil {
		logReport(t, r)
		t.Fatalf("check passed, want a failure at %q", name)
	}
	if f.Name != name {
		logReport(t, r)
		t.Fatalf("first failed step is %q, want %q: %s", f.Name, name, f.Detail)
	}
	for _, w := range want {
		if !strings.Contains(f.Detail+" "+f.Hint, w) {
			logReport(t, r)
			t.Errorf("step %q says %q (hint %q), want it to mention %q", name, f.Detail, f.Hint, w)
		}
	}
	if f.Hint == "" {
		t.Errorf("step %q failed without a hint", name)
	}
	return f
}

func bg() context.Context { return context.Background() }

// uniq makes a bucket name unique to one test run, so that -count=N runs
// start from fresh buckets.
func uniq(base string) string { return base + "-" + newRunID()[:6] }
