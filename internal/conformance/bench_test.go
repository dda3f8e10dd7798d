package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kinetls "github.com/k3s-io/kine/pkg/tls"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Targets: quick <= 300 ms, full <= 3 s per check on the single node.

func BenchmarkQuick(b *testing.B) { benchProfile(b, ProfileQuick) }

func BenchmarkFull(b *testing.B) { benchProfile(b, ProfileFull) }

func benchProfile(b *testing.B, p Profile) {
	nc := connect(b, single.URL)
	b.Run("fresh", func(b *testing.B) {
		var took []time.Duration
		for b.Loop() {
			target := endpointFor([]string{single.URL}, uniq("bench-"+string(p)), 0)
			target.Scratch = true
			r := Run(bg(), nc, target, Options{Profile: p})
			if !r.Passed {
				b.Fatal(r.Summary())
			}
			took = append(took, r.Duration)
		}
		reportMedian(b, took)
	})
	b.Run("10k", func(b *testing.B) {
		bucket := "bench10k-" + string(p)
		fill(b, bucket, 10000)
		target := endpointFor([]string{single.URL}, bucket, 0)
		target.Scratch = true
		b.ResetTimer()
		var took []time.Duration
		for b.Loop() {
			r := Run(bg(), nc, target, Options{Profile: p})
			if !r.Passed {
				b.Fatal(r.Summary())
			}
			took = append(took, r.Duration)
			if testing.Verbose() {
				logReport(b, r)
			}
		}
		reportMedian(b, took)
	})
}

// reportMedian adds the median check duration: the targets are medians,
// and ns/op is a mean.
func reportMedian(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
}

// fill stores n Kubernetes-sized objects in bucket through KINE, unless an
// earlier benchmark run did.
func fill(b *testing.B, bucket string, n int) {
	b.Helper()
	ctx, cancel := context.WithTimeout(bg(), 5*time.Minute)
	defer cancel()
	k, err := startKine(ctx, bg(), "nats://"+strings.TrimPrefix(single.URL, "nats://")+"?bucket="+bucket, kinetls.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = k.stop() }()
	prefix := "/registry/configmaps/bench/"
	if cnt, err := k.client.Get(ctx, prefix, withPrefixCount()...); err == nil && cnt.Count >= int64(n) {
		return
	}
	began := time.Now()
	value := `{"kind":"ConfigMap","data":{"x":"` + strings.Repeat("x", 1000) + `"}}`
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if _, _, err := create(ctx, k.client, fmt.Sprintf("%scm-%05d", prefix, i), value); err != nil {
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
	b.Logf("filled %s with %d objects in %s", bucket, n, time.Since(began).Round(time.Millisecond))
}

func withPrefixCount() []clientv3.OpOption {
	return []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithCountOnly()}
}
