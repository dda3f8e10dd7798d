package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/examples"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// operatorOut is what examples/demo/operator outputs.
type operatorOut struct {
	JWT              string `json:"operator_jwt"`
	SigningSeed      string `json:"operator_signing_seed"`
	SystemUserCreds  string `json:"system_user_creds"`
	SystemAccount    string `json:"system_account"`
	SystemAccountJWT string `json:"system_account_jwt"`
}

// makeOperator applies examples/demo/operator: no server is needed yet.
func (d *demo) makeOperator(ctx context.Context) (operatorOut, error) {
	var op operatorOut
	// The regions' servers keep account JWTs in resolver directories of
	// their own; the operator's server_config, which names this one, is not
	// used here.
	w, err := d.workspace("TF_VAR_resolver_dir=jwt")
	if err != nil {
		return op, err
	}
	d.operatorWS = w
	if _, err := w.CopyFiles(filepath.Join(d.o.examples, "demo", "operator", "*.tf")); err != nil {
		return op, err
	}
	if err := d.apply(ctx, w); err != nil {
		return op, err
	}
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	if err := w.Outputs(ctx, &op); err != nil {
		return op, err
	}
	fmt.Printf("   operator JWT %s…, system account %s\n", op.JWT[:24], op.SystemAccount)
	return op, nil
}

// startRegions starts region A and region B trusting the operator.
func (d *demo) startRegions(op operatorOut) error {
	r, err := testnats.StartOperatorRegionsFor(&testnats.Operator{
		JWT:              op.JWT,
		SigningSeed:      []byte(op.SigningSeed),
		SystemAccount:    op.SystemAccount,
		SystemAccountJWT: op.SystemAccountJWT,
		SystemCreds:      []byte(op.SystemUserCreds),
	})
	if err != nil {
		return fmt.Errorf("start the regions: %w", err)
	}
	d.regions = r
	d.defer_(r.Shutdown)
	fmt.Printf("   region A  %-24s JetStream domain %-9s full resolver, leaf node listener\n", r.A.URL, testnats.RegionADomain)
	fmt.Printf("   region B  %-24s JetStream domain %-9s full resolver, leaf node of A (system account linked)\n", r.B.URL, testnats.RegionBDomain)
	fmt.Printf("   max_payload %d MiB; an account pushed in either region reaches both resolvers\n", testnats.DefaultMaxPayload>>20)
	return nil
}

// link gives region B's servers the leaf remote of every cluster account,
// as region_b_leaf_remotes describes, and reloads them.
func (d *demo) link(ctx context.Context, out examples.MultiRegion) error {
	for _, line := range strings.Split(out.Remotes, "\n") {
		fmt.Println("   | " + line)
	}
	fmt.Println("   each creds file is written beside region B's configuration, which is then reloaded:")
	for _, name := range sortedKeys(out.Accounts) {
		start := time.Now()
		if err := d.regions.LinkAccount(ctx, out.Accounts[name], []byte(out.LinkCreds[name])); err != nil {
			return fmt.Errorf("link %s's account: %w", name, err)
		}
		fmt.Printf("   %s: account %s… linked (leaf connection up in both regions, %s)\n", name, out.Accounts[name][:12], time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// loseRegionA waits until alpha's mirror in region B has every revision of
// its source, then stops region A's server.
func (d *demo) loseRegionA(ctx context.Context, out examples.MultiRegion) error {
	creds := []byte(out.KineCreds["alpha"])
	rev, err := waitMirrored(ctx, d.regions, creds, "k3s-alpha")
	if err != nil {
		return err
	}
	fmt.Printf("   alpha's mirror in region B holds revision %d, as its source does\n", rev)
	d.regions.StopA()
	if !closed(d.regions.A.URL) {
		return fmt.Errorf("region A's server still answers at %s", d.regions.A.URL)
	}
	fmt.Printf("   region A's server stopped: nothing answers at %s; region B serves on\n", d.regions.A.URL)
	d.proven = append(d.proven, fmt.Sprintf("alpha's mirror caught up to revision %d before region A was lost", rev))
	return nil
}

// regionAReturns restarts region A and applies, keeping the failover: the
// apply seals alpha's stale bucket there.
func (d *demo) regionAReturns(ctx context.Context, w *tfrun.Workspace) error {
	if err := d.regions.RestartA(ctx); err != nil {
		return err
	}
	fmt.Printf("   region A back on %s, linked again\n", d.regions.A.URL)
	if err := d.apply(ctx, w, `TF_VAR_failover=["alpha"]`); err != nil {
		return err
	}
	out, err := d.outputs(ctx, w)
	if err != nil {
		return err
	}
	d.conformanceTable(out)
	m := out.Mirrors["alpha"]
	if m == nil || !m.SourceReachable || !m.SourceSealed {
		return fmt.Errorf("after region A returned, alpha's former source should be reachable and sealed: %+v", m)
	}
	fmt.Println("   alpha's former bucket in region A: reachable, sealed (read-only for good: no split brain)")
	d.proven = append(d.proven, "region A returned: alpha's stale bucket there was sealed by the next apply")
	return nil
}

// teardown destroys the stack and the operator, stops both regions and
// checks that their ports are closed.
func (d *demo) teardown(ctx context.Context, w *tfrun.Workspace) error {
	env := []string{`TF_VAR_failover=["alpha"]`}
	if err := d.terraform(ctx, w, env, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	res, err := w.RunQuiet(ctx, nil, "state", "list")
	if err != nil || strings.TrimSpace(res.Stdout) != "" {
		return fmt.Errorf("state after destroy: %q (%v)", res.Stdout, err)
	}
	var left []string
	for _, s := range []*testnats.Server{d.regions.A, d.regions.B} {
		if l, _ := filepath.Glob(filepath.Join(s.StoreDir(), "*", "*", "streams", "*")); len(l) > 0 {
			left = append(left, l...)
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("streams left on the servers' disks after destroy: %v", left)
	}
	fmt.Println("   stack state empty; no stream left on either region's disk")
	if err := d.terraform(ctx, d.operatorWS, nil, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	urls := []string{d.regions.A.URL, d.regions.B.URL}
	d.close()
	for _, u := range urls {
		if !closed(u) {
			return fmt.Errorf("%s still answers after shutdown", u)
		}
	}
	fmt.Printf("   servers stopped (%s closed), KINE stopped, work directories and stores removed\n", strings.Join(urls, ", "))
	d.proven = append(d.proven, "destroy removed every account, user, bucket and mirror in both regions; nothing left running")
	return nil
}

// closed tells whether nothing listens at a nats:// URL any more.
func closed(url string) bool {
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "nats://"), time.Second)
	if err != nil {
		return true
	}
	c.Close()
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
