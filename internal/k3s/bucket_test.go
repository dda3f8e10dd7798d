package k3s

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// kineCreate is what KINE does on every start (kine v0.17.5,
// pkg/drivers/nats/new.go): CreateKeyValue with these four fields, the
// endpoint's replicas and revHistory already defaulted to 1 and 10. It is
// written out here, not taken from BucketConfig, so the tests check
// BucketConfig against it.
func kineCreate(ctx context.Context, js jetstream.JetStream, bucket string, replicas int, revHistory uint8) error {
	_, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: "Holds kine key/values",
		History:     revHistory,
		Replicas:    replicas,
	})
	return err
}

func TestBucketConfigIsKINEs(t *testing.T) {
	want := jetstream.KeyValueConfig{Bucket: "kine", Description: "Holds kine key/values", History: 10, Replicas: 1}
	if got := BucketConfig("", 0, 0); !reflect.DeepEqual(got, want) {
		t.Errorf("BucketConfig defaults = %+v, want %+v", got, want)
	}
	want = jetstream.KeyValueConfig{Bucket: "b", Description: "Holds kine key/values", History: 64, Replicas: 3}
	if got := BucketConfig("b", 3, 64); !reflect.DeepEqual(got, want) {
		t.Errorf("BucketConfig = %+v, want %+v", got, want)
	}
}

// bucketCase is an existing bucket and the endpoint KINE is started with.
type bucketCase struct {
	name        string
	clusterOnly bool
	// kv edits KINE's default KeyValueConfig before the bucket is created.
	kv func(*jetstream.KeyValueConfig)
	// stream edits the stream config afterwards, through UpdateStream.
	stream func(*jetstream.StreamConfig)
	// replicas and revHistory are the endpoint's params; 0 = left out.
	replicas, revHistory int
	want                 []Difference
	// Advise's answer.
	adviseOK                   bool
	adviseReplicas, adviseHist int
}

func bucketCases() []bucketCase {
	clusterName := cluster.Servers[0].ClusterName()
	return []bucketCase{
		{name: "made by KINE", adviseOK: true, adviseReplicas: 1, adviseHist: 10},
		{name: "made by KINE, explicit defaults", replicas: 1, revHistory: 10, adviseOK: true, adviseReplicas: 1, adviseHist: 10},
		{name: "made by KINE with history 20", kv: func(c *jetstream.KeyValueConfig) { c.History = 20 }, revHistory: 20,
			adviseOK: true, adviseReplicas: 1, adviseHist: 20},
		{name: "history 20, endpoint default", kv: func(c *jetstream.KeyValueConfig) { c.History = 20 },
			want:     []Difference{{"History", "20", "10"}},
			adviseOK: true, adviseReplicas: 1, adviseHist: 20},
		{name: "history 5", kv: func(c *jetstream.KeyValueConfig) { c.History = 5 },
			want:     []Difference{{"History", "5", "10"}},
			adviseOK: true, adviseReplicas: 1, adviseHist: 5},
		{name: "history 1", kv: func(c *jetstream.KeyValueConfig) { c.History = 1 },
			want: []Difference{{"History", "1", "10"}}},
		{name: "compression", kv: func(c *jetstream.KeyValueConfig) { c.Compression = true },
			want: []Difference{{"Compression", "S2", "None"}}},
		{name: "TTL", kv: func(c *jetstream.KeyValueConfig) { c.TTL = time.Hour },
			want: []Difference{{"TTL", "1h0m0s", "0s"}}},
		{name: "short TTL also shortens the duplicate window", kv: func(c *jetstream.KeyValueConfig) { c.TTL = 30 * time.Second },
			want: []Difference{{"TTL", "30s", "0s"}, {"Duplicates", "30s", "2m0s"}}},
		{name: "memory storage", kv: func(c *jetstream.KeyValueConfig) { c.Storage = jetstream.MemoryStorage },
			want: []Difference{{"Storage", "Memory", "File"}}},
		{name: "description", kv: func(c *jetstream.KeyValueConfig) { c.Description = "mine" },
			want: []Difference{{"Description", `"mine"`, `"Holds kine key/values"`}}},
		{name: "max bytes", kv: func(c *jetstream.KeyValueConfig) { c.MaxBytes = 1 << 30 },
			want: []Difference{{"MaxBytes", "1073741824", "-1"}}},
		{name: "max value size", kv: func(c *jetstream.KeyValueConfig) { c.MaxValueSize = 4 << 20 },
			want: []Difference{{"MaxValueSize", "4194304", "-1"}}},
		{name: "republish", kv: func(c *jetstream.KeyValueConfig) {
			c.RePublish = &jetstream.RePublish{Source: "$KV." + c.Bucket + ".>", Destination: "repub." + c.Bucket + ".>"}
		}, want: []Difference{{Field: "RePublish", Want: "none"}}},
		{name: "metadata", kv: func(c *jetstream.KeyValueConfig) { c.Metadata = map[string]string{"owner": "ops"} },
			want: []Difference{{"Metadata", `{"owner":"ops"}`, "none"}}},
		{name: "limit marker TTL", kv: func(c *jetstream.KeyValueConfig) { c.LimitMarkerTTL = time.Second },
			want: []Difference{{"AllowMsgTTL", "true", "false"}, {"LimitMarkerTTL", "1s", "0s"}}},
		{name: "direct get off", stream: func(c *jetstream.StreamConfig) { c.AllowDirect = false },
			want: []Difference{{"AllowDirect", "false", "true"}}},
		{name: "discard old", stream: func(c *jetstream.StreamConfig) { c.Discard = jetstream.DiscardOld },
			want: []Difference{{"Discard", "DiscardOld", "DiscardNew"}}},
		{name: "max messages", stream: func(c *jetstream.StreamConfig) { c.MaxMsgs = 1000 },
			want: []Difference{{"MaxMsgs", "1000", "-1"}}},
		{name: "duplicate window", stream: func(c *jetstream.StreamConfig) { c.Duplicates = time.Minute },
			want: []Difference{{"Duplicates", "1m0s", "2m0s"}}},
		{name: "placement", clusterOnly: true, kv: func(c *jetstream.KeyValueConfig) { c.Placement = &jetstream.Placement{Cluster: clusterName} },
			want: []Difference{{Field: "Placement", Want: "none"}}},
		{name: "made by KINE with 3 replicas", clusterOnly: true, kv: func(c *jetstream.KeyValueConfig) { c.Replicas = 3 }, replicas: 3,
			adviseOK: true, adviseReplicas: 3, adviseHist: 10},
		{name: "1 replica, endpoint 3", clusterOnly: true, replicas: 3,
			want:     []Difference{{"Replicas", "1", "3"}},
			adviseOK: true, adviseReplicas: 1, adviseHist: 10},
		{name: "3 replicas and history 5, endpoint default", clusterOnly: true,
			kv:       func(c *jetstream.KeyValueConfig) { c.Replicas, c.History = 3, 5 },
			want:     []Difference{{"History", "5", "10"}, {"Replicas", "3", "1"}},
			adviseOK: true, adviseReplicas: 3, adviseHist: 5},
	}
}

// TestCompareAgainstKINE checks, on real servers, that Compare is empty
// exactly when KINE's own CreateKeyValue call accepts the bucket, that its
// differences are the right ones, and that Advise's params are accepted.
func TestCompareAgainstKINE(t *testing.T) {
	for _, topo := range topologies() {
		t.Run(topo.name, func(t *testing.T) {
			js := testnats.JetStream(t, topo.url, nil, "")
			for _, tc := range bucketCases() {
				if tc.clusterOnly && topo.name != "cluster" {
					continue
				}
				t.Run(tc.name, func(t *testing.T) { checkBucket(t, js, tc) })
			}
		})
	}
}

func checkBucket(t *testing.T, js jetstream.JetStream, tc bucketCase) {
	ctx := testContext(t)
	bucket := bucketName()
	cfg := BucketConfig(bucket, 0, 0)
	if tc.kv != nil {
		tc.kv(&cfg)
	}
	if _, err := js.CreateKeyValue(ctx, cfg); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = js.DeleteKeyValue(ctx, bucket)
	})
	if tc.stream != nil {
		sc := streamConfig(t, js, bucket)
		tc.stream(&sc)
		if _, err := js.UpdateStream(ctx, sc); err != nil {
			t.Fatalf("update stream: %v", err)
		}
	}
	have := streamConfig(t, js, bucket)

	got := Compare(have, tc.replicas, tc.revHistory)
	if !sameDifferences(got, tc.want) {
		t.Errorf("Compare =\n  %v\nwant\n  %v", got, tc.want)
	}

	// The real thing: KINE's call with the endpoint's params.
	_, r, h := kineDefaults(bucket, tc.replicas, tc.revHistory)
	err := kineCreate(ctx, js, bucket, r, uint8(h))
	switch {
	case len(got) == 0 && err != nil:
		t.Errorf("Compare found no difference, but KINE's CreateKeyValue failed: %v", err)
	case len(got) > 0 && !refused(err):
		t.Errorf("Compare found %v, but KINE's CreateKeyValue returned %v, not \"already in use\"", got, err)
	}
	if after := streamConfig(t, js, bucket); !reflect.DeepEqual(normalize(after), normalize(have)) {
		t.Errorf("KINE's call changed the bucket:\n%+v\nto\n%+v", have, after)
	}

	ar, ah, blockers, ok := Advise(have)
	if ok != tc.adviseOK {
		t.Fatalf("Advise ok = %t, want %t (blockers %v)", ok, tc.adviseOK, blockers)
	}
	if !ok {
		if len(blockers) == 0 {
			t.Error("Advise: not ok but no blockers")
		}
		for _, b := range blockers {
			// Replicas and history are endpoint params, blockers only when out of KINE's range.
			if (b.Field == "Replicas" || b.Field == "History") && !strings.Contains(b.Want, "..") {
				t.Errorf("Advise: blocker %v is only an endpoint param", b)
			}
		}
		// No params help. KINE's endpoint parser rejects the bucket's own
		// values when they are out of range; otherwise CreateKeyValue
		// refuses the bucket even with them.
		own := Endpoint{Servers: []string{"h"}, Replicas: ar, RevHistory: ah}
		if own.Validate() != nil {
			return
		}
		if err := kineCreate(ctx, js, bucket, ar, uint8(ah)); !refused(err) {
			t.Errorf("Advise found blockers %v, but KINE with the bucket's own replicas and history got %v", blockers, err)
		}
		return
	}
	if len(blockers) != 0 || ar != tc.adviseReplicas || ah != tc.adviseHist {
		t.Errorf("Advise = %d, %d, %v; want %d, %d, none", ar, ah, blockers, tc.adviseReplicas, tc.adviseHist)
	}
	if err := kineCreate(ctx, js, bucket, ar, uint8(ah)); err != nil {
		t.Errorf("KINE with Advise's replicas=%d revHistory=%d failed: %v", ar, ah, err)
	}
	if d := Compare(have, ar, ah); len(d) != 0 {
		t.Errorf("Compare with Advise's params = %v", d)
	}
}

func streamConfig(t *testing.T, js jetstream.JetStream, bucket string) jetstream.StreamConfig {
	t.Helper()
	s, err := js.Stream(testContext(t), "KV_"+bucket)
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	return s.CachedInfo().Config
}

// refused is KINE's fatal start error: the bucket exists with another config.
func refused(err error) bool {
	return errors.Is(err, jetstream.ErrBucketExists) && strings.Contains(err.Error(), "already in use")
}

// sameDifferences compares fields in order; an empty Have in want means
// "any" (for values that carry server-chosen details).
func sameDifferences(got, want []Difference) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Field != want[i].Field || got[i].Want != want[i].Want {
			return false
		}
		if want[i].Have != "" && got[i].Have != want[i].Have {
			return false
		}
	}
	return true
}

// Compare on configs built by hand: what the server adds is ignored, and a
// stream that is not a KV bucket is named as such.
func TestCompareIgnoresServerAdditions(t *testing.T) {
	have := kineStream("b", 0, 0)
	have.Metadata = map[string]string{"_nats.req.level": "0", "_nats.ver": "2.15.2", "_nats.level": "3"}
	have.Placement = &jetstream.Placement{}
	have.Subjects = []string{"$KV.b.>"}
	if d := Compare(have, 0, 0); len(d) != 0 {
		t.Errorf("Compare = %v, want none", d)
	}
	have.Metadata["team"] = "a"
	if d := Compare(have, 0, 0); len(d) != 1 || d[0].Field != "Metadata" || d[0].Have != `{"team":"a"}` {
		t.Errorf("Compare = %v, want the team metadata only", d)
	}

	orders := kineStream("x", 0, 0)
	orders.Name = "ORDERS"
	d := Compare(orders, 0, 0)
	if len(d) == 0 || d[0].Field != "Name" {
		t.Errorf("Compare(ORDERS) = %v, want a Name difference first", d)
	}
}

func TestAdviseOutOfRange(t *testing.T) {
	have := kineStream("b", 0, 0)
	have.MaxMsgsPerSubject = 100
	_, _, blockers, ok := Advise(have)
	if ok || len(blockers) != 1 || blockers[0].Field != "History" || blockers[0].Want != "2..64" {
		t.Errorf("Advise(history 100) = %v, %t", blockers, ok)
	}
	have.MaxMsgsPerSubject = -1
	if _, _, blockers, ok := Advise(have); ok || len(blockers) != 1 || blockers[0].Have != "-1" {
		t.Errorf("Advise(unlimited history) = %v, %t", blockers, ok)
	}
}
