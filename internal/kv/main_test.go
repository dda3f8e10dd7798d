package kv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// Servers shared by every test in the package, started once in TestMain.
var (
	single      *testnats.Server
	cluster     *testnats.Cluster
	hubLeaf     *testnats.HubLeaf
	clusterName string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if single, err = testnats.Start(testnats.Config{}); err != nil {
		fmt.Fprintln(os.Stderr, "start single server:", err)
		return 1
	}
	defer single.Shutdown()
	if cluster, err = testnats.StartCluster(3, ""); err != nil {
		fmt.Fprintln(os.Stderr, "start cluster:", err)
		return 1
	}
	defer cluster.Shutdown()
	clusterName = cluster.Servers[0].ClusterName()
	if hubLeaf, err = testnats.StartHubLeaf(); err != nil {
		fmt.Fprintln(os.Stderr, "start hub and leaf:", err)
		return 1
	}
	defer hubLeaf.Shutdown()
	// Keep a stream in every account for the servers' lifetime: see
	// testnats.Anchor for the server race it avoids.
	for _, url := range []string{single.URL, cluster.Servers[0].URL, hubLeaf.Hub.URL, hubLeaf.Leaf.URL} {
		if err := testnats.Anchor(url); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

func singleJS(tb testing.TB) jetstream.JetStream { return testnats.JetStream(tb, single.URL, nil, "") }

func clusterJS(tb testing.TB) jetstream.JetStream {
	return testnats.JetStream(tb, strings.Join(cluster.URLs(), ","), nil, "")
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

var bucketSeq atomic.Int64

// bucketName gives each test its own bucket: tests share servers.
func bucketName(tb testing.TB) string {
	r := strings.NewReplacer("/", "_", " ", "_", ".", "_", ">", "_", "#", "_")
	return fmt.Sprintf("%s_%d", r.Replace(tb.Name()), bucketSeq.Add(1))
}

// rawConfig is the stream config as the server holds it.
func rawConfig(tb testing.TB, js jetstream.JetStream, bucket string) jetstream.StreamConfig {
	tb.Helper()
	s, err := js.Stream(testContext(tb), StreamName(bucket))
	if err != nil {
		tb.Fatalf("stream info %s: %v", StreamName(bucket), err)
	}
	return s.CachedInfo().Config
}

// mustCreate creates a bucket that is deleted when the test ends.
func mustCreate(tb testing.TB, js jetstream.JetStream, cfg Config) Config {
	tb.Helper()
	got, err := Create(testContext(tb), js, cfg)
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = Delete(ctx, js, cfg.Name)
	})
	return got
}
