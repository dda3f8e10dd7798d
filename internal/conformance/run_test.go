package conformance

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	kineserver "github.com/k3s-io/kine/pkg/server"
	kinetls "github.com/k3s-io/kine/pkg/tls"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The passing checks use their own buckets and run side by side.

func TestQuickSingleNode(t *testing.T) {
	t.Parallel()
	bucket := uniq("quick1")
	nc := connect(t, single.URL)
	target := endpointFor([]string{single.URL}, bucket, 0)
	r := Run(bg(), nc, target, Options{Profile: ProfileQuick})
	mustPass(t, r)
	if r.ServerVersion == "" || r.KineVersion == "" || r.Profile != ProfileQuick || r.Duration <= 0 {
		t.Errorf("report header incomplete: %+v", r)
	}
	for _, s := range r.Steps {
		if s.Name == "" || s.Duration < 0 || s.Detail == "" {
			t.Errorf("step %+v lacks a name or detail", s)
		}
	}
	assertOnlyHealthKey(t, bucket)

	// Again, now that the bucket exists with KINE's settings.
	r = Run(bg(), nc, target, Options{Profile: ProfileQuick})
	mustPass(t, r)
	if d := r.Step(StepBucketConfig).Detail; !strings.Contains(d, "exists with exactly the settings KINE creates") {
		t.Errorf("second run's bucket step says %q", d)
	}
	assertOnlyHealthKey(t, bucket)
}

func TestFullSingleNodeScratch(t *testing.T) {
	t.Parallel()
	bucket := uniq("full1")
	nc := connect(t, single.URL)
	target := endpointFor([]string{single.URL}, bucket, 0)
	target.Scratch = true
	r := Run(bg(), nc, target, Options{Profile: ProfileFull})
	mustPass(t, r)
	for _, name := range []string{StepLease, StepLargeValue, StepSecondInstance, StepConcurrentCreate, StepCompaction} {
		s := r.Step(name)
		if s == nil || !s.OK || s.Skipped {
			t.Errorf("full profile step %q did not run and pass: %+v", name, s)
		}
	}
	if s := r.Step(StepKineStop); s == nil || !strings.Contains(s.Detail, "2 KINE") {
		t.Errorf("both instances should be stopped: %+v", s)
	}
	// Compaction on a scratch bucket leaves KINE's compact revision key.
	assertLiveKeys(t, bucket, nil, compactKey)
}

func TestQuickClusterR3(t *testing.T) {
	t.Parallel()
	bucket := uniq("quick3")
	nc := connect(t, cluster.Servers[0].URL)
	r := Run(bg(), nc, endpointFor(cluster.URLs(), bucket, 3), Options{Profile: ProfileQuick})
	mustPass(t, r)
	assertReplicas(t, nc, bucket, 3)
	assertOnlyHealthKey(t, bucket, cluster.URLs()...)
}

func TestFullClusterR3(t *testing.T) {
	t.Parallel()
	bucket := uniq("full3")
	nc := connect(t, cluster.Servers[1].URL)
	r := Run(bg(), nc, endpointFor(cluster.URLs(), bucket, 3), Options{Profile: ProfileFull})
	mustPass(t, r)
	s := r.Step(StepCompaction)
	if s == nil || !s.Skipped || !strings.Contains(s.Detail, "throwaway") {
		t.Errorf("compaction on a non-scratch bucket must be skipped with the reason: %+v", s)
	}
	if !strings.Contains(r.Summary(), "skipped") {
		t.Errorf("summary does not mention the skipped step: %s", r.Summary())
	}
	assertReplicas(t, nc, bucket, 3)
	assertOnlyHealthKey(t, bucket, cluster.URLs()...)
}

// assertOnlyHealthKey checks what a later kube-apiserver would see: a
// fresh KINE on the bucket lists nothing but its own health key.
func assertOnlyHealthKey(t *testing.T, bucket string, urls ...string) {
	t.Helper()
	assertLiveKeys(t, bucket, urls)
}

// compactKey is the apiserver's compact revision key, which KINE keeps
// under another name and lists under this one.
const compactKey = "compact_rev_key"

func assertLiveKeys(t *testing.T, bucket string, urls []string, extra ...string) {
	t.Helper()
	if len(urls) == 0 {
		urls = []string{single.URL}
	}
	ctx, cancel := context.WithTimeout(bg(), 20*time.Second)
	defer cancel()
	ep := endpointFor(urls, bucket, 0).Endpoint
	if len(urls) > 1 {
		ep.Replicas = len(urls)
	}
	k, err := startKine(ctx, bg(), ep.String(), kinetls.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := k.stop(); err != nil {
			t.Error(err)
		}
	}()
	resp, err := k.client.Get(ctx, "\x00", clientv3.WithFromKey(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, kv := range resp.Kvs {
		keys = append(keys, string(kv.Key))
	}
	want := append([]string{kineserver.HealthKey}, extra...)
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("a fresh KINE sees %v in %s, want only %v", keys, bucket, want)
	}
}

func assertReplicas(t *testing.T, nc *nats.Conn, bucket string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	s, err := js(t, nc).Stream(ctx, "KV_"+bucket)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CachedInfo().Config.Replicas; got != n {
		t.Errorf("bucket %s has %d replicas, want %d", bucket, got, n)
	}
}

// createBucket makes a bucket the way a user might have, before a check.
func createBucket(t *testing.T, nc *nats.Conn, cfg jetstream.KeyValueConfig) jetstream.KeyValue {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	kv, err := kv.CreateExact(ctx, js(t, nc), cfg)
	if err != nil {
		t.Fatalf("create bucket %s: %v", cfg.Bucket, err)
	}
	return kv
}

// TestQuickTLS: KINE reaches a server that demands client certificates with
// the TLS material the check is given, as PEM content or as a path; without
// it KINE cannot connect and the check says to look at the TLS settings.
func TestQuickTLS(t *testing.T) {
	t.Parallel()
	s, m := testnats.StartTLS(t)
	nc := connect(t, s.URL, nats.RootCAs(m.CAFile), nats.ClientCert(m.ClientCertFile, m.ClientKeyFile))

	target := endpointFor([]string{s.URL}, uniq("tls"), 0)
	target.TLS = TLS{CA: m.CAPEM, Cert: m.ClientCertFile, Key: m.ClientKeyPEM}
	mustPass(t, Run(bg(), nc, target, Options{Profile: ProfileQuick}))

	target = endpointFor([]string{s.URL}, uniq("notls"), 0)
	r := Run(bg(), nc, target, Options{Profile: ProfileQuick, Timeout: 10 * time.Second})
	mustFailAt(t, r, StepKineStart, "TLS")
}
