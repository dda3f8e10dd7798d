package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/examples"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// prefix is where the demo's ConfigMaps live, as the apiserver keys them.
const prefix = "/registry/configmaps/default/"

// withKine runs KINE as k3s would from a --datastore-endpoint, with the
// KINE user's creds in a private file in place of its credsFile, and hands
// f the etcd client. The file goes when KINE stops.
func withKine(ctx context.Context, endpoint, creds string, f func(*clientv3.Client) error) error {
	e, err := k3s.ParseEndpoint(endpoint)
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	dir, err := os.MkdirTemp("", "demo-kine-")
	if err != nil {
		return fmt.Errorf("make creds dir: %w", err)
	}
	defer os.RemoveAll(dir)
	e.CredsFile = filepath.Join(dir, "nats.creds")
	if err := os.WriteFile(e.CredsFile, []byte(creds), 0o600); err != nil {
		return fmt.Errorf("write creds: %w", err)
	}
	k, err := conformance.StartKine(ctx, e.String())
	if err != nil {
		return fmt.Errorf("start KINE on %s: %w", endpoint, err)
	}
	err = f(k.Client())
	return errors.Join(err, k.Stop())
}

// writeState writes ConfigMaps through KINE into alpha's datastore: creates,
// updates of every third, deletes of every seventh, and a key with a lease.
func (d *demo) writeState(ctx context.Context, out examples.MultiRegion) (testkine.Dataset, error) {
	var ds testkine.Dataset
	endpoint := out.Endpoints["alpha"]
	fmt.Printf("   endpoint  %s\n", endpoint)
	err := withKine(ctx, endpoint, out.KineCreds["alpha"], func(c *clientv3.Client) error {
		var err error
		ds, err = testkine.Write(ctx, c, prefix, d.o.keys)
		return err
	})
	if err != nil {
		return ds, fmt.Errorf("write through KINE in region A: %w", err)
	}
	updates, deletes := 0, len(ds.Deleted)
	for _, e := range ds.Live {
		if e.Mod != e.Create {
			updates++
		}
	}
	last := ds.Events[len(ds.Events)-1].Rev
	fmt.Printf("   %d ConfigMaps created, %d updated, %d deleted, 1 with a lease: %d live keys, revisions up to %d\n",
		d.o.keys, updates, deletes, len(ds.Live), last)
	d.proven = append(d.proven, fmt.Sprintf("KINE wrote %d changes into region A as the least-privilege KINE user (%d live keys)", len(ds.Events), len(ds.Live)))
	return ds, nil
}

// checkFailover checks what the failover apply says: alpha runs in region
// B, from an endpoint naming region B's server, its mirror promoted.
func (d *demo) checkFailover(out examples.MultiRegion) error {
	m := out.Mirrors["alpha"]
	if m == nil || !m.Promote || m.SourceReachable || out.ActiveRegion["alpha"] != testnats.RegionBDomain {
		return fmt.Errorf("after failover: mirror %+v, active region %q", m, out.ActiveRegion["alpha"])
	}
	e, err := k3s.ParseEndpoint(out.Endpoints["alpha"])
	if err != nil || len(e.Servers) != 1 || !strings.HasSuffix(d.regions.B.URL, e.Servers[0]) {
		return fmt.Errorf("alpha's endpoint after failover %q should name region B's server (%v)", out.Endpoints["alpha"], err)
	}
	fmt.Printf("   alpha now runs in %s; k3s gets --datastore-endpoint=\n     %s\n", out.ActiveRegion["alpha"], out.Endpoints["alpha"])
	d.proven = append(d.proven, "with region A down, one apply through region B promoted alpha's mirror and gave k3s its new endpoint")
	return nil
}

// readState starts KINE in region B from alpha's new endpoint and compares
// every key with what was written in region A, revisions included; then a
// new write continues the revision sequence.
func (d *demo) readState(ctx context.Context, out examples.MultiRegion, ds testkine.Dataset) error {
	return withKine(ctx, out.Endpoints["alpha"], out.KineCreds["alpha"], func(c *clientv3.Client) error {
		resp, err := c.Get(ctx, prefix, clientv3.WithPrefix())
		if err != nil {
			return fmt.Errorf("range in region B: %w", err)
		}
		rows := make([]string, 0, len(resp.Kvs))
		for _, kv := range resp.Kvs {
			k := string(kv.Key)
			want, ok := ds.Live[k]
			mark := "ok"
			if !ok || want.Create != kv.CreateRevision || want.Mod != kv.ModRevision || want.Value != string(kv.Value) {
				mark = "DIFFERS"
			}
			rows = append(rows, fmt.Sprintf("%-13s create %3d  mod %3d  %s", strings.TrimPrefix(k, prefix), kv.CreateRevision, kv.ModRevision, mark))
		}
		sort.Strings(rows)
		printColumns(rows)
		// Values, revisions, deleted keys absent, watch replay: all checked.
		if err := testkine.Check(ctx, c, ds); err != nil {
			return fmt.Errorf("KINE in region B does not serve what region A wrote: %w", err)
		}
		if err := testkine.CheckWatch(ctx, c, ds, len(ds.Events)/2); err != nil {
			return fmt.Errorf("watch replay in region B: %w", err)
		}
		put, err := c.Put(ctx, prefix+"after-failover", `{"kind":"ConfigMap"}`)
		if err != nil {
			return fmt.Errorf("write in region B: %w", err)
		}
		last := ds.Events[len(ds.Events)-1].Rev
		fmt.Printf("   %d of %d live keys served with their create and mod revisions; deleted keys absent;\n", len(resp.Kvs), len(ds.Live))
		fmt.Printf("   a watch from revision %d replays the same events; a new write got revision %d:\n", ds.Events[len(ds.Events)/2].Rev, put.Header.Revision)
		fmt.Printf("   the sequence goes on from region A's %d (the KINE checks after promotion wrote the ones between)\n", last)
		d.proven = append(d.proven, fmt.Sprintf("KINE in region B served all %d keys with their revisions, replayed a watch, and wrote on at revision %d", len(ds.Live), put.Header.Revision))
		return nil
	})
}

// printColumns prints rows in two columns.
func printColumns(rows []string) {
	half := (len(rows) + 1) / 2
	for i := range half {
		line := "   " + rows[i]
		if j := i + half; j < len(rows) {
			line = fmt.Sprintf("   %-44s %s", rows[i], rows[j])
		}
		fmt.Println(line)
	}
}

// waitMirrored waits until the mirror of bucket in region B has every
// message of the bucket in region A, and returns that last revision. The
// KINE user may read its stream's info in both regions.
func waitMirrored(ctx context.Context, r *testnats.OperatorRegions, creds []byte, bucket string) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	last := func(url string) (uint64, error) {
		opt, err := natsconn.CredsOption(creds)
		if err != nil {
			return 0, err
		}
		nc, err := nats.Connect(url, opt, nats.Name("terraform-provider-nats demo"))
		if err != nil {
			return 0, err
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return 0, err
		}
		s, err := js.Stream(ctx, kv.StreamName(bucket))
		if err != nil {
			return 0, err
		}
		return s.CachedInfo().State.LastSeq, nil
	}
	want, err := last(r.A.URL)
	if err != nil {
		return 0, fmt.Errorf("bucket %s in region A: %w", bucket, err)
	}
	for {
		got, err := last(r.B.URL)
		if err == nil && got >= want {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("the mirror of %s in region B did not reach revision %d (at %d, %v)", bucket, want, got, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
