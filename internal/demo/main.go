// Command demo is `make demo`: k3s on NATS across two regions, a region
// lost and the cluster carried on in the other, with the real terraform CLI
// and the locally built provider, in-process nats-servers and real KINE.
//
//  1. an operator, made offline (examples/demo/operator);
//  2. an operator-mode system of two regions trusting it (JetStream
//     domains region-a and region-b), in-process;
//  3. examples/stacks/multi-region applied: clusters alpha (home region A)
//     and beta (home region B), each with its account, users and datastore;
//     region B's servers get a leaf remote per account; each datastore is
//     mirrored into the other region;
//  4. k3s state written through KINE into alpha's datastore in region A;
//  5. region A's servers stopped; alpha's mirror in region B promoted by an
//     apply with failover = ["alpha"]; KINE in region B serves every key
//     with its revisions;
//  6. region A back: its stale bucket sealed; everything destroyed, and
//     nothing left running.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// commandTimeout bounds each terraform command: the demo's are seconds long.
const commandTimeout = 5 * time.Minute

type options struct {
	provider, terraform, examples string
	keys                          int
}

func main() {
	var o options
	flag.StringVar(&o.provider, "provider", "bin/terraform-provider-nats", "the provider binary to use (make build)")
	flag.StringVar(&o.terraform, "terraform", "", "the terraform binary; default TF_ACC_TERRAFORM_PATH, then terraform on PATH")
	flag.StringVar(&o.examples, "examples", "examples", "the repository's examples directory")
	flag.IntVar(&o.keys, "keys", 20, "ConfigMaps KINE writes into region A (some are then updated, some deleted)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	d := &demo{o: o, start: time.Now()}
	err := d.run(ctx)
	d.close()
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo FAILED after %s: %v\n", d.elapsed(), err)
		os.Exit(1)
	}
	d.summary()
}

// run tells the story; every step that fails ends it, and close tears down
// whatever was started.
func (d *demo) run(ctx context.Context) error {
	for _, dir := range []string{filepath.Join("demo", "operator"), filepath.Join("stacks", "multi-region"), filepath.Join("modules", "k3s-cluster")} {
		if _, err := os.Stat(filepath.Join(d.o.examples, dir, "main.tf")); err != nil {
			return fmt.Errorf("example configuration not found (run from the repository root, as `make demo` does): %w", err)
		}
	}

	d.stage("An operator, made offline by Terraform (examples/demo/operator)")
	op, err := d.makeOperator(ctx)
	if err != nil {
		return err
	}

	d.stage("Two regions of one operator-mode NATS system trusting it, in-process")
	if err := d.startRegions(op); err != nil {
		return err
	}

	d.stage("examples/stacks/multi-region, apply 1: accounts, users, datastores")
	w, err := d.stackWorkspace(op)
	if err != nil {
		return err
	}
	fmt.Println("   mirroring = false: a mirror needs its account's region link, which comes next;")
	fmt.Println("   deletion_protection = false throughout: the demo throws everything away at the end")
	if err := d.apply(ctx, w, "TF_VAR_mirroring=false"); err != nil {
		return err
	}
	out, err := d.outputs(ctx, w)
	if err != nil {
		return err
	}
	d.conformanceTable(out)
	d.proven = append(d.proven, "each cluster got its own account, an admin and a KINE user and a datastore, checked by real KINE as both users")

	d.stage("Region links: a leaf remote per account in region B's servers")
	if err := d.link(ctx, out); err != nil {
		return err
	}
	d.proven = append(d.proven, "accounts pushed once reached both regions' resolvers; a leaf remote per account carries it across, as a user allowed only what mirrors both ways need")

	d.stage("Apply 2: each region's datastore mirrored into the other")
	if err := d.apply(ctx, w); err != nil {
		return err
	}
	if out, err = d.outputs(ctx, w); err != nil {
		return err
	}
	d.conformanceTable(out)
	d.proven = append(d.proven, "each region's datastore was mirrored into the other, every revision kept, and KINE-checked before it is needed")

	d.stage("k3s state written through KINE into alpha's datastore in region A")
	ds, err := d.writeState(ctx, out)
	if err != nil {
		return err
	}

	d.stage("Region A lost: its server stops")
	if err := d.loseRegionA(ctx, out); err != nil {
		return err
	}

	d.stage(`Failover, apply 3 through region B alone: failover = ["alpha"]`)
	fmt.Println("   -refresh=false: region A's resources cannot be read while it is down; the change is in region B only")
	if err := d.apply(ctx, w, `TF_VAR_failover=["alpha"]`, "-refresh=false"); err != nil {
		return err
	}
	if out, err = d.outputs(ctx, w); err != nil {
		return err
	}
	d.conformanceTable(out)
	if err := d.checkFailover(out); err != nil {
		return err
	}

	d.stage("KINE in region B, from the new endpoint: every key, every revision")
	if err := d.readState(ctx, out, ds); err != nil {
		return err
	}

	d.stage("Region A returns: apply 4 seals its stale bucket")
	if err := d.regionAReturns(ctx, w); err != nil {
		return err
	}

	d.stage("Everything destroyed, nothing left running")
	if err := d.teardown(ctx, w); err != nil {
		return err
	}
	if len(d.failedReports) > 0 {
		return fmt.Errorf("conformance reports failed: %s", strings.Join(d.failedReports, "; "))
	}
	return nil
}
