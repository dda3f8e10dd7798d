package testnats

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func createBucket(t *testing.T, url string, creds []byte, domain string, cfg jetstream.KeyValueConfig) jetstream.KeyValue {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kv, err := JetStream(t, url, creds, domain).CreateKeyValue(ctx, cfg)
	if err != nil {
		t.Fatalf("create bucket %s: %v", cfg.Bucket, err)
	}
	return kv
}

func TestSingle(t *testing.T) {
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	createBucket(t, s.URL, nil, "", jetstream.KeyValueConfig{Bucket: "one"})
	if s.TotalConnections() != 1 {
		t.Errorf("TotalConnections = %d, want 1", s.TotalConnections())
	}
}

func TestCluster(t *testing.T) {
	c, err := StartCluster(3, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	kv := createBucket(t, c.Servers[0].URL, nil, "", jetstream.KeyValueConfig{Bucket: "three", Replicas: 3})
	st, err := kv.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas; got != 3 {
		t.Errorf("replicas = %d, want 3", got)
	}
}

func TestOperator(t *testing.T) {
	op, err := StartOperator(OperatorOptions{Servers: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Shutdown()
	ctx := context.Background()
	acc, err := op.CreateAccount(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range op.Servers {
		createBucket(t, s.URL, acc.Creds, "", jetstream.KeyValueConfig{Bucket: "b" + s.Name()[len(s.Name())-1:]})
	}
}

func TestHubLeaf(t *testing.T) {
	hl, err := StartHubLeaf()
	if err != nil {
		t.Fatal(err)
	}
	defer hl.Shutdown()
	// A bucket in the leaf domain, created through the hub.
	createBucket(t, hl.Hub.URL, nil, LeafDomain, jetstream.KeyValueConfig{Bucket: "remote"})
	createBucket(t, hl.Leaf.URL, nil, "", jetstream.KeyValueConfig{Bucket: "local"})
}

// Two regions of one operator-mode system: an account pushed once reaches
// both resolvers, a linked account mirrors across domains, and region B
// keeps serving it while region A is down.
func TestOperatorRegions(t *testing.T) {
	r, err := StartOperatorRegions()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// CreateAccount waits for both servers to answer the push and for
	// JetStream of the account on both.
	acc, err := r.CreateAccount(ctx, "K3S")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LinkAccount(ctx, acc.PublicKey, acc.Creds); err != nil {
		t.Fatal(err)
	}
	src := createBucket(t, r.A.URL, acc.Creds, "", jetstream.KeyValueConfig{Bucket: "state", History: 5})
	if _, err := src.Put(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	mirror := createBucket(t, r.B.URL, acc.Creds, "", jetstream.KeyValueConfig{Bucket: "state", History: 5,
		Mirror: &jetstream.StreamSource{Name: "state", Domain: RegionADomain}})
	waitKey := func(what string) {
		t.Helper()
		for {
			if e, err := mirror.Get(ctx, "k"); err == nil && string(e.Value()) == "v1" {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s: the mirror in region B never got the key", what)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	waitKey("both regions up")

	r.StopA()
	waitKey("region A down")
	// A client of region B still authenticates as the account.
	createBucket(t, r.B.URL, acc.Creds, "", jetstream.KeyValueConfig{Bucket: "while-a-is-down"})
	if err := r.RestartA(ctx); err != nil {
		t.Fatal(err)
	}
	createBucket(t, r.A.URL, acc.Creds, RegionBDomain, jetstream.KeyValueConfig{Bucket: "from-a-into-b"})
}
