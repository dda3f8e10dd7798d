package k3s

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// Servers shared by the package's tests: a single node, and a 3-node
// cluster because the server compares configs on a different code path
// there (stream assignments) and replicas only vary in a cluster.
var (
	single  *testnats.Server
	cluster *testnats.Cluster
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

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
	for _, topo := range topologies() {
		if err := testnats.Anchor(topo.url); err != nil {
			fmt.Fprintf(os.Stderr, "anchor bucket on %s: %v\n", topo.name, err)
			return 1
		}
	}
	return m.Run()
}

// topology is one place a bucket can live.
type topology struct {
	name string
	url  string
}

func topologies() []topology {
	return []topology{
		{"single", single.URL},
		{"cluster", strings.Join(cluster.URLs(), ",")},
	}
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

var bucketSeq atomic.Int64

// bucketName gives each bucket its own name: tests share servers.
func bucketName() string { return fmt.Sprintf("k3s_%d", bucketSeq.Add(1)) }
