package conformance

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// Each negative case must fail at the step that names the problem, with a
// message that says what is wrong and a hint.

func TestBucketWithOtherHistory(t *testing.T) {
	t.Parallel()
	bucket := uniq("hist5")
	nc := connect(t, single.URL)
	createBucket(t, nc, jetstream.KeyValueConfig{Bucket: bucket, Description: k3s.KineDescription, History: 5})
	r := Run(bg(), nc, endpointFor([]string{single.URL}, bucket, 0), Options{})
	f := mustFailAt(t, r, StepBucketConfig, "History is 5, KINE wants 10", "revHistory=5")
	if r.Step(StepKineStart) != nil {
		t.Errorf("KINE must not start after a failed preflight")
	}
	if !strings.Contains(r.Summary(), f.Detail) {
		t.Errorf("summary lacks the failure: %s", r.Summary())
	}
}

func TestBucketWithCompression(t *testing.T) {
	t.Parallel()
	bucket := uniq("comp")
	nc := connect(t, single.URL)
	createBucket(t, nc, jetstream.KeyValueConfig{Bucket: bucket, Description: k3s.KineDescription, History: 10, Compression: true})
	r := Run(bg(), nc, endpointFor([]string{single.URL}, bucket, 0), Options{})
	mustFailAt(t, r, StepBucketConfig, "Compression is S2, KINE wants None", "no endpoint makes KINE accept")
}

func TestBucketWithTTL(t *testing.T) {
	t.Parallel()
	bucket := uniq("ttl")
	nc := connect(t, single.URL)
	createBucket(t, nc, jetstream.KeyValueConfig{Bucket: bucket, Description: k3s.KineDescription, History: 10, TTL: time.Hour})
	r := Run(bg(), nc, endpointFor([]string{single.URL}, bucket, 0), Options{})
	mustFailAt(t, r, StepBucketConfig, "TTL is 1h0m0s", "no endpoint makes KINE accept")
}

func TestMaxPayloadOneMiB(t *testing.T) {
	t.Parallel()
	nc := connect(t, small.URL)
	r := Run(bg(), nc, endpointFor([]string{small.URL}, "kine", 0), Options{})
	mustFailAt(t, r, StepMaxPayload, "1048576 bytes", "max_payload to at least 2101248")
}

func TestReplicasOnSingleServer(t *testing.T) {
	t.Parallel()
	bucket := uniq("r3single")
	nc := connect(t, single.URL)
	r := Run(bg(), nc, endpointFor([]string{single.URL}, bucket, 3), Options{})
	mustFailAt(t, r, StepReplicas, "not clustered")
}

func TestContextFileEndpoint(t *testing.T) {
	t.Parallel()
	nc := connect(t, single.URL)
	var target Target
	target.Endpoint.ContextFile = "/etc/nats/kine.json"
	r := Run(bg(), nc, target, Options{})
	mustFailAt(t, r, StepEndpoint, "contextFile")
	if len(r.Steps) != 1 {
		t.Errorf("nothing should run after a bad endpoint, ran %d steps", len(r.Steps))
	}
}

// TestQuickWithMinimalPermissions runs KINE as a user allowed exactly
// k3s.Permissions, through a credentials file made from Target.Creds.
func TestQuickWithMinimalPermissions(t *testing.T) {
	t.Parallel()
	bucket := uniq("kineperm")
	creds := operatorUser(t, "minimal", bucket, nil)
	opt, err := testnats.CredsOption(creds)
	if err != nil {
		t.Fatal(err)
	}
	nc := connect(t, operator.Servers[0].URL, opt)
	target := endpointFor(operator.URLs(), bucket, 0)
	target.Creds = creds
	r := Run(bg(), nc, target, Options{})
	mustPass(t, r)
	if d := r.Step(StepPermissions).Detail; !strings.Contains(d, "user JWT agrees") {
		t.Errorf("permission step did not read the JWT: %s", d)
	}
	for _, s := range r.Steps {
		for _, secret := range credsSecrets(creds) {
			if strings.Contains(s.Detail, secret) {
				t.Fatalf("step %q shows a credential", s.Name)
			}
		}
	}
}

// TestEndpointWithoutCredentials: an endpoint with no creds file, context,
// user or token against servers that require a login. k3s would be refused
// the same way, so the check fails at KINE's start and says to set
// creds_file.
func TestEndpointWithoutCredentials(t *testing.T) {
	t.Parallel()
	bucket := uniq("nocreds")
	creds := operatorUser(t, "nocreds", bucket, nil)
	opt, err := testnats.CredsOption(creds)
	if err != nil {
		t.Fatal(err)
	}
	nc := connect(t, operator.Servers[0].URL, opt)
	target := endpointFor(operator.URLs(), bucket, 0)
	r := Run(bg(), nc, target, Options{})
	mustFailAt(t, r, StepKineStart, "endpoint carries no credentials", "Set creds_file")
}

// TestMissingStreamCreatePermission is the case KINE itself would retry
// forever: the check must fail fast and name the subject.
func TestMissingStreamCreatePermission(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	bucket := uniq("noperm")
	create := "$JS.API.STREAM.CREATE.KV_" + bucket
	creds := operatorUser(t, "nocreate", bucket, []string{create})
	opt, err := testnats.CredsOption(creds)
	if err != nil {
		t.Fatal(err)
	}
	nc := connect(t, operator.Servers[0].URL, opt)
	target := endpointFor(operator.URLs(), bucket, 0)
	target.Creds = creds

	began := time.Now()
	r := Run(bg(), nc, target, Options{})
	took := time.Since(began)
	f := mustFailAt(t, r, StepPermissions, create, "retries its bucket creation forever")
	if took > 5*time.Second {
		t.Errorf("the check took %s to find the missing permission, want < 5s", took)
	}
	if !strings.Contains(f.Detail, "Permissions Violation") {
		t.Errorf("detail should quote the server: %s", f.Detail)
	}
	t.Logf("failed in %s: %s", took.Round(time.Millisecond), f.Detail)
}

// operatorUser mints a user in a fresh account allowed KINE's subjects for
// bucket, minus drop.
func operatorUser(t *testing.T, account, bucket string, drop []string) []byte {
	t.Helper()
	acc, err := operator.CreateAccount(bg(), account)
	if err != nil {
		t.Fatal(err)
	}
	pub, sub := k3s.Permissions(bucket, "")
	pub = slices.DeleteFunc(pub, func(s string) bool { return slices.Contains(drop, s) })
	creds, err := acc.User("kine", pub, sub)
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// TestServerStoppedMidCheck stops the server right after KINE started: the
// check must fail within its timeout, stop KINE and leak nothing.
func TestServerStoppedMidCheck(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	bucket := uniq("doomed")
	if !doomed.Running() {
		if err := doomed.Restart(); err != nil { // stopped by an earlier -count run
			t.Fatal(err)
		}
	}
	nc := connect(t, doomed.URL, nats.MaxReconnects(0))
	var stopped sync.WaitGroup
	timeout := 5 * time.Second
	opts := Options{Profile: ProfileFull, Timeout: timeout, OnStep: func(s Step) {
		if s.Name == StepKineStart && s.OK {
			stopped.Add(1)
			go func() {
				defer stopped.Done()
				doomed.Stop()
			}()
		}
	}}
	began := time.Now()
	r := Run(bg(), nc, endpointFor([]string{doomed.URL}, bucket, 0), opts)
	took := time.Since(began)
	stopped.Wait()
	logReport(t, r)
	if r.Passed {
		t.Fatal("check passed although the server went away")
	}
	if took > timeout+2*stopGrace {
		t.Errorf("check took %s, want at most its %s timeout plus grace", took, timeout)
	}
	if s := r.Step(StepKineStop); s == nil || !s.OK {
		t.Errorf("KINE must be stopped cleanly: %+v", s)
	}
	if f := r.Failed(); f.Name == StepKineStart || f.Hint == "" {
		t.Errorf("failure should be a live step with a hint: %+v", f)
	}
	if s := r.Step(StepCleanup); s == nil || s.OK || !strings.Contains(s.Detail, ProbePrefix) {
		t.Errorf("with the server gone, cleanup cannot be verified and must say where keys may remain: %+v", s)
	}
}

// TestMissingInboxSubscribe: KINE cannot get any JetStream answer without
// subscribing to its inbox.
func TestMissingInboxSubscribe(t *testing.T) {
	t.Parallel()
	bucket := uniq("noinbox")
	acc, err := operator.CreateAccount(bg(), "noinbox")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := k3s.Permissions(bucket, "")
	// The provider's own connection uses another inbox prefix, which it may
	// subscribe to; KINE's default one is not allowed.
	creds, err := acc.User("kine", pub, []string{"_MINE.>"})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := testnats.CredsOption(creds)
	if err != nil {
		t.Fatal(err)
	}
	nc := connect(t, operator.Servers[0].URL, opt, nats.CustomInboxPrefix("_MINE"), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	target := endpointFor(operator.URLs(), bucket, 0)
	target.Creds = creds
	r := Run(bg(), nc, target, Options{})
	mustFailAt(t, r, StepPermissions, `_INBOX.> (server: nats: permissions violation: Permissions Violation for Subscription to "_INBOX.zz-nats-provider-conformance-`, `subscribe "_INBOX.>" (not in the user's allow list)`)
}

// TestReplicaOffline: a replicated bucket whose replica's server is down has
// fewer available peers than replicas; the check names the step and says so.
// It runs on its own cluster: stopping a server of the shared one would
// disturb the other tests.
func TestReplicaOffline(t *testing.T) {
	t.Parallel()
	c, err := testnats.StartCluster(3, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Shutdown)
	bucket := uniq("offline")
	j := js(t, connect(t, c.Servers[0].URL))
	if _, err := k3s.EnsureBucket(bg(), j, bucket, 3, 0); err != nil {
		t.Fatal(err)
	}
	s, err := j.Stream(bg(), "KV_"+bucket)
	if err != nil {
		t.Fatal(err)
	}
	// Stop a server that leads nothing: without the meta leader the
	// account step would time out first, and without the stream leader
	// there would be no leader to report the replica offline.
	leader := s.CachedInfo().Cluster.Leader
	var victim, up *testnats.Server
	for _, srv := range c.Servers {
		switch {
		case victim == nil && srv.Name() != leader && !srv.JetStreamIsLeader():
			victim = srv
		case up == nil:
			up = srv
		}
	}
	victim.Stop()
	r := Run(bg(), connect(t, up.URL), endpointFor(c.URLs(), bucket, 3), Options{Profile: ProfileQuick})
	mustFailAt(t, r, StepReplicas, "offline", "bring the servers")
}
