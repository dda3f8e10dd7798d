package examples_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/edge"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

var edgeStack = filepath.Join(examplesDir, "stacks", "edge")

// The edge stack against an in-process hub (operator mode, domain "hub", a
// leaf node listener): both sites' checks pass (each starts the site's
// exact edge server as a leaf of the hub), a second plan is empty; then the
// sites run here as their hosts would, real KINE makes its bucket on each
// and writes k3s-like objects, and the second apply mirrors both into the
// hub, where every revision arrives. Everything is destroyed once
// protection is off.
func TestEdgeStack(t *testing.T) {
	ctx := testContext(t, 15*time.Minute)
	hub, err := testnats.StartOperator(testnats.OperatorOptions{Domain: "hub", Extra: testnats.LeafListener(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown()
	leafURLs, err := hub.LeafURLs()
	if err != nil {
		t.Fatal(err)
	}
	w := workspace(t,
		"TF_VAR_nats_servers="+jsonText(t, hub.URLs()),
		"TF_VAR_hub_leaf_urls="+jsonText(t, leafURLs),
		"TF_VAR_operator_jwt="+hub.JWT,
		"TF_VAR_operator_signing_seed="+string(hub.SigningSeed),
		"TF_VAR_system_user_creds="+string(hub.SystemCreds),
	)
	w.SkipBelow(ctx, t, 1, 11) // write-only attributes
	copyConfig(t, w, edgeStack)
	sites := func(mirrored bool) string {
		return "TF_VAR_sites=" + jsonText(t, map[string]map[string]any{
			"north": {"mirrored": mirrored},
			"south": {"mirrored": mirrored, "rev_history": 5},
		})
	}
	apply := func(env ...string) string {
		t.Helper()
		res, err := w.RunEnv(ctx, env, "apply", "-auto-approve", "-input=false", "-no-color")
		if err != nil {
			t.Fatalf("apply %v: %v\n%s", env, err, res.Stdout)
		}
		return res.Stdout
	}
	apply(sites(false))
	if res, err := w.RunEnv(ctx, []string{sites(false)}, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Fatalf("second plan: %v\n%s", err, res.Stdout)
	}

	var out struct {
		Sites map[string]struct {
			Domain string `json:"jetstream_domain"`
			Bucket string `json:"bucket"`
		} `json:"sites"`
		LeafCreds   map[string]string `json:"leaf_creds"`
		Conformance map[string]string `json:"conformance"`
		Account     string            `json:"account"`
	}
	if err := w.Outputs(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Sites) != 2 || out.Sites["north"].Bucket == out.Sites["south"].Bucket || out.Sites["north"].Domain == out.Sites["south"].Domain {
		t.Fatalf("want two sites with buckets and domains of their own: %+v", out.Sites)
	}
	for name, summary := range out.Conformance {
		if !strings.Contains(summary, "passed") || strings.Contains(summary, "failed") {
			t.Errorf("site %s: check: %s", name, summary)
		}
	}

	// The hosts: each site's edge server from its settings, KINE's bucket
	// made as KINE makes it, one key written at the edge.
	revs := map[string]int{"north": 10, "south": 5}
	written := map[string]uint64{}
	for name, s := range out.Sites {
		site := edge.Site{Name: name, HubURLs: leafURLs, Domain: s.Domain, Bucket: s.Bucket, RevHistory: revs[name], MaxPayload: 8 << 20}.WithDefaults()
		local, err := edge.StartLocal(ctx, site, []byte(out.LeafCreds[name]), edge.TLSContent{}, name+"-host")
		if err != nil {
			t.Fatalf("site %s: %v", name, err)
		}
		defer local.Stop(context.Background())
		written[name] = writeAtEdge(ctx, t, local, site)
	}

	apply(sites(true))
	js := hubAccountJetStream(ctx, t, w, hub, out.Account)
	for name, s := range out.Sites {
		waitForRevision(ctx, t, js, s.Bucket, written[name])
	}
	if res, err := w.RunEnv(ctx, []string{sites(true)}, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Errorf("plan after mirroring: %v\n%s", err, res.Stdout)
	}

	off := []string{sites(true), "TF_VAR_deletion_protection=false"}
	apply(off...)
	if res, err := w.RunEnv(ctx, off, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, res.Stdout)
	}
	if res := run(ctx, t, w, "state", "list"); strings.TrimSpace(res.Stdout) != "" {
		t.Errorf("state after destroy:\n%s", res.Stdout)
	}
	for name, s := range out.Sites {
		if _, err := js.Stream(ctx, "KV_"+s.Bucket); err == nil {
			t.Errorf("site %s: the hub's copy %s is still there after destroy", name, s.Bucket)
		}
	}
}

func jsonText(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeAtEdge runs real KINE against the site's edge server, as k3s would:
// KINE makes the bucket itself and gets k3s-like objects written through
// its etcd API. It returns the bucket's last revision.
func writeAtEdge(ctx context.Context, t *testing.T, local *edge.Local, site edge.Site) uint64 {
	t.Helper()
	host := strings.TrimPrefix(local.Server().ClientURL(), "nats://")
	k, err := conformance.StartKine(ctx, k3s.Endpoint{Servers: []string{host}, Bucket: site.Bucket, RevHistory: site.RevHistory, NoEmbed: true}.String())
	if err != nil {
		t.Fatalf("site %s: KINE at the edge: %v", site.Name, err)
	}
	defer k.Stop()
	if _, err := testkine.Write(ctx, k.Client(), "/registry/configmaps/default/", 20); err != nil {
		t.Fatalf("site %s: write through KINE: %v", site.Name, err)
	}
	nc, err := nats.Connect("", nats.InProcessServer(local.Server()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, "KV_"+site.Bucket)
	if err != nil {
		t.Fatalf("site %s: KINE's bucket at the edge: %v", site.Name, err)
	}
	return st.CachedInfo().State.LastSeq
}

// hubAccountJetStream is the hub account's JetStream, as a user issued with
// the account's signing seed from state.
func hubAccountJetStream(ctx context.Context, t *testing.T, w *tfrun.Workspace, hub *testnats.Operator, account string) jetstream.JetStream {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes struct {
					SigningSeed string `json:"signing_seed"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	var seed string
	for _, r := range state.Resources {
		if r.Type == "nats_account" {
			seed = r.Instances[0].Attributes.SigningSeed
		}
	}
	u, err := accounts.IssueUser(accounts.User{Name: "test-reader", Account: account}, []byte(seed), nil)
	if err != nil {
		t.Fatal(err)
	}
	return testnats.JetStream(t, hub.URLs()[0], u.Creds, "")
}

// waitForRevision waits until the hub's copy of bucket holds revision rev,
// the edge's last.
func waitForRevision(ctx context.Context, t *testing.T, js jetstream.JetStream, bucket string, rev uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var last uint64
	for {
		if s, err := js.Stream(ctx, "KV_"+bucket); err == nil {
			if last = s.CachedInfo().State.LastSeq; last == rev {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the hub's copy %s is at revision %d, the edge at %d", bucket, last, rev)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
