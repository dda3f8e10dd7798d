package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The disaster-recovery drill, end to end, with the real CLI and one state
// per region, as the guide's runbooks have it:
//
//  1. the hub region holds a k3s datastore; KINE writes a cluster's worth
//     of state into it (creates, updates, deletes, a lease);
//  2. the leaf region mirrors it;
//  3. the hub is lost; the leaf applies promote = true alone, and a
//     datastore adopts the promoted bucket;
//  4. KINE, started from that datastore's endpoint, returns every live key
//     with its original create and mod revisions, replays a watch from an
//     old revision, and takes new writes;
//  5. the hub returns: the leaf's next apply seals the stale bucket there;
//  6. failback: the hub mirrors the promoted bucket under a new name, the
//     mirror check passes, and once promoted in a maintenance window a
//     datastore there serves every key, the leaf's new write included.
func TestAccKVMirror_disasterRecoveryDrill(t *testing.T) {
	hubWS, leafWS := newCLIWorkspace(t), newCLIWorkspace(t)
	regions, err := testnats.StartRegions()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(regions.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	hubJS := testnats.JetStream(t, regions.Leaf.URL, nil, testnats.HubDomain)

	// 1. The hub's datastore and its cluster's state.
	hubConfig := providerBlock([]string{regions.Hub.URL}, "") + `
resource "nats_k3s_datastore" "hub" {
  bucket = "kine"
}

output "endpoint" {
  value = nats_k3s_datastore.hub.endpoint_redacted
}
`
	hubWS.apply(hubConfig)
	ds := kineRun(t, ctx, hubWS.output("endpoint"), func(c *clientv3.Client) testkine.Dataset {
		ds, err := testkine.Write(ctx, c, "/registry/configmaps/default/", 300)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	})

	// 2. The leaf's mirror; its mirror check (enforce) passes.
	leafConfig := func(promote string) string {
		return providerBlock([]string{regions.Leaf.URL}, "") + fmt.Sprintf(`
resource "nats_kv_mirror" "kine" {
  name    = "kine"
  source  = { bucket = "kine", domain = %q }
  promote = %s
}
`, testnats.HubDomain, promote)
	}
	leafWS.apply(leafConfig("false"))

	// 3. The hub is lost; the leaf promotes and adopts its copy.
	regions.StopHub()
	adopted := leafConfig("true") + adopt("kine", "endpoint")
	out := leafWS.apply(adopted)
	wantIn(t, "the promotion with the hub down", out, "Warning: Promoted without reaching the source")
	if out, changes := planChanges(leafWS, adopted); changes {
		t.Errorf("after the failover the leaf's plan is not empty:\n%s", out)
	}

	// 4. KINE on the adopted bucket: every key and revision, a replaying
	// watch, new writes.
	var written int64
	kineRun(t, ctx, leafWS.output("endpoint"), func(c *clientv3.Client) testkine.Dataset {
		if err := testkine.Check(ctx, c, ds); err != nil {
			t.Errorf("after the failover: %v", err)
		}
		if err := testkine.CheckWatch(ctx, c, ds, len(ds.Events)/2); err != nil {
			t.Errorf("after the failover: %v", err)
		}
		resp, err := c.Put(ctx, "/registry/configmaps/default/after-failover", `{"kind":"ConfigMap"}`)
		if err != nil {
			t.Fatalf("write after the failover: %v", err)
		}
		written = resp.Header.Revision
		return ds
	})
	if last := ds.Events[len(ds.Events)-1].Rev; written <= last {
		t.Errorf("the first write after the failover got revision %d, not after %d", written, last)
	}

	// 5. The hub returns with its stale bucket; the leaf's next apply seals it.
	if err := regions.RestartHub(ctx); err != nil {
		t.Fatal(err)
	}
	out, changes := planChanges(leafWS, adopted)
	wantIn(t, "the leaf's plan once the hub is back", out,
		"Warning: Former source still accepts writes (split brain)", "The next apply seals it", "source_sealed = false -> true")
	if !changes {
		t.Error("the leaf plans no seal of the returned hub's bucket")
	}
	leafWS.apply(adopted)
	if !sealed(t, hubJS, "kine") {
		t.Fatal("the hub's stale bucket is not sealed")
	}

	// 6. Failback: the hub mirrors the promoted bucket, then promotes it in a
	// maintenance window (the leaf's bucket is sealed in turn) and a new
	// datastore there serves everything.
	failback := func(promote string) string {
		return hubConfig + fmt.Sprintf(`
resource "nats_kv_mirror" "back" {
  name    = "kine_back"
  source  = { bucket = "kine", domain = %q }
  promote = %s
}
`, testnats.LeafDomain, promote)
	}
	out = hubWS.apply(failback("false"))
	wantIn(t, "the hub's refresh of its sealed datastore", out, "Datastore bucket changed outside Terraform")
	back := failback("true") + adopt("back", "back")
	hubWS.apply(back)
	if !sealed(t, testnats.JetStream(t, regions.Hub.URL, nil, testnats.LeafDomain), "kine") {
		t.Error("the planned failback did not seal the leaf's bucket")
	}
	ds.Live["/registry/configmaps/default/after-failover"] = testkine.Entry{Value: `{"kind":"ConfigMap"}`, Create: written, Mod: written}
	kineRun(t, ctx, hubWS.output("back"), func(c *clientv3.Client) testkine.Dataset {
		if err := testkine.Check(ctx, c, ds); err != nil {
			t.Errorf("after the failback: %v", err)
		}
		return ds
	})
}

// adopt is a datastore adopting the bucket promoted from nats_kv_mirror.m,
// with its endpoint as output out: the end of a failover runbook.
func adopt(m, out string) string {
	return fmt.Sprintf(`
resource "nats_k3s_datastore" %[1]q {
  bucket      = nats_kv_mirror.%[1]s.name
  replicas    = nats_kv_mirror.%[1]s.replicas
  rev_history = nats_kv_mirror.%[1]s.history
}

output %[2]q {
  value = nats_k3s_datastore.%[1]s.endpoint_redacted
}
`, m, out)
}

// kineRun starts KINE on endpoint, hands its etcd client to f, and stops it.
func kineRun(t *testing.T, ctx context.Context, endpoint string, f func(*clientv3.Client) testkine.Dataset) testkine.Dataset {
	t.Helper()
	k, err := conformance.StartKine(ctx, endpoint)
	if err != nil {
		t.Fatalf("KINE on %s: %v", endpoint, err)
	}
	defer func() {
		if err := k.Stop(); err != nil {
			t.Error(err)
		}
	}()
	return f(k.Client())
}
