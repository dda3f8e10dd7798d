package conformance

import (
	"context"

	kinetls "github.com/k3s-io/kine/pkg/tls"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Kine is KINE running in-process against a bucket, serving the etcd API to
// Client as it serves a kube-apiserver: for drills and benchmarks that read
// and write a datastore the way k3s does.
type Kine struct{ k *kine }

// StartKine starts KINE on endpoint (a KINE datastore endpoint, as k3s
// takes it) and waits until it serves, at most until ctx ends. KINE runs
// until Stop, whatever becomes of ctx.
func StartKine(ctx context.Context, endpoint string) (*Kine, error) {
	kineLogs.install() // KINE's logs go where the checks' go, not to stderr
	k, err := startKine(ctx, context.Background(), endpoint, kinetls.Config{})
	if err != nil {
		return nil, err
	}
	return &Kine{k: k}, nil
}

// Client is an etcd v3 client connected to KINE over an in-memory link.
func (k *Kine) Client() *clientv3.Client { return k.k.client }

// Stop stops KINE and its client, waiting a bounded time for them.
func (k *Kine) Stop() error { return k.k.stop() }
