package mirror_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// benchKeys is the size of the benchmarked datastore.
const benchKeys = 10000

// A datastore of 10 000 Kubernetes-sized objects in the hub, mirrored into
// the leaf across the leaf node connection:
//   - catch-up: from creating the mirror to having every revision;
//   - promote-to-kine: from promoting the caught-up mirror to a KINE,
//     started on the promoted bucket, answering a read (KINE replays the
//     whole bucket before it serves).
//
// Both report their median, in milliseconds.
func BenchmarkMirror10k(b *testing.B) {
	hl, err := testnats.StartHubLeaf()
	if err != nil {
		b.Fatal(err)
	}
	defer hl.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	hub := testnats.JetStream(b, hl.Hub.URL, nil, "")
	leafViaHub := testnats.JetStream(b, hl.Hub.URL, nil, testnats.LeafDomain)
	fill(b, ctx, hl.Hub.URL, "bench10k", benchKeys)

	var catchUp, toKine []time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n++
		spec := mirror.Spec{Name: fmt.Sprintf("bench10k_%d", n), Domain: testnats.LeafDomain, Source: mirror.Source{Bucket: "bench10k", Domain: testnats.HubDomain}}
		began := time.Now()
		if _, err := mirror.Create(ctx, leafViaHub, hub, spec); err != nil {
			b.Fatal(err)
		}
		if _, err := mirror.WaitCaughtUp(ctx, leafViaHub, hub, spec); err != nil {
			b.Fatal(err)
		}
		catchUp = append(catchUp, time.Since(began))

		began = time.Now()
		if _, err := mirror.Promote(ctx, leafViaHub, hub, spec, mirror.PromoteOptions{}); err != nil {
			b.Fatal(err)
		}
		k, err := conformance.StartKine(ctx, endpoint(hl.Leaf.URL, spec.Name))
		if err != nil {
			b.Fatal(err)
		}
		resp, err := k.Client().Get(ctx, objectKey(benchKeys))
		if err != nil || len(resp.Kvs) != 1 {
			b.Fatalf("read from the promoted bucket: %v (%d keys)", err, len(resp.Kvs))
		}
		toKine = append(toKine, time.Since(began))
		b.StopTimer()
		if err := k.Stop(); err != nil {
			b.Error(err)
		}
		if err := mirror.Delete(ctx, leafViaHub, spec.Name); err != nil {
			b.Error(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(median(catchUp), "catch-up-ms")
	b.ReportMetric(median(toKine), "promote-to-kine-ms")
}

func median(d []time.Duration) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[len(d)/2].Microseconds()) / 1000
}

func endpoint(url, bucket string) string {
	return k3s.Endpoint{Servers: []string{strings.TrimPrefix(url, "nats://")}, Bucket: bucket, NoEmbed: true}.String()
}

func objectKey(i int) string { return fmt.Sprintf("/registry/configmaps/bench/cm-%05d", i) }

// fill creates n ConfigMap-sized objects in bucket through KINE.
func fill(b *testing.B, ctx context.Context, url, bucket string, n int) {
	b.Helper()
	k, err := conformance.StartKine(ctx, endpoint(url, bucket))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = k.Stop() }()
	value := `{"kind":"ConfigMap","data":{"x":"` + strings.Repeat("x", 1000) + `"}}`
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				key := objectKey(int(i))
				_, err := k.Client().Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(key), "=", 0)).Then(clientv3.OpPut(key, value)).Commit()
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}
