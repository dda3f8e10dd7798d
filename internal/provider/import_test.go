package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// After an import, with the configuration the docs show for it (the
// import-by-string-id.tf examples, durations written the short way), the
// next plan is empty: nothing is updated, no check runs for nothing.

// example reads an example file of the docs and applies replacements (old,
// new pairs), so the test runs exactly what a reader copies.
func example(t *testing.T, file string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(replace...).Replace(string(b))
}

// importedUnchanged: the import is the plan's only action, and the plan
// after it is empty.
func importedUnchanged(addr string) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}

func TestAccImport_kvBucketDocsExample(t *testing.T) {
	js := testnats.JetStream(t, single.URL, nil, "")
	const addr = "nats_kv_bucket.sessions"
	// setup makes a bucket as the docs' example describes it, and returns
	// the example for it: with its import block, without it (for
	// `terraform import`), and unprotected (so the test can destroy it).
	setup := func(name string) (withBlock, resourceOnly, unprotected string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := kv.Create(ctx, js, kv.Config{Name: name, History: 3, TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		withBlock = providerBlock([]string{single.URL}, "") + example(t, "resources/nats_kv_bucket/import-by-string-id.tf",
			`id = "sessions"`, fmt.Sprintf("id = %q", name), `name    = "sessions"`, fmt.Sprintf("name    = %q", name))
		resourceOnly = withBlock[:strings.Index(withBlock, "import {")] + withBlock[strings.Index(withBlock, `resource "nats_kv_bucket"`):]
		return withBlock, resourceOnly, strings.Replace(resourceOnly, "deletion_protection = true", "deletion_protection = false", 1)
	}
	t.Run("import block", func(t *testing.T) {
		name := uniqueName(t)
		withBlock, _, unprotected := setup(name)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			CheckDestroy:             checkNoBucket(t, js, name),
			Steps: []resource.TestStep{
				{Config: withBlock, ConfigPlanChecks: importedUnchanged(addr)},
				{Config: unprotected},
			},
		})
	})
	t.Run("terraform import", func(t *testing.T) {
		name := uniqueName(t)
		_, resourceOnly, unprotected := setup(name)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			CheckDestroy:             checkNoBucket(t, js, name),
			Steps: []resource.TestStep{
				{Config: resourceOnly, ResourceName: addr, ImportState: true, ImportStateId: name, ImportStatePersist: true},
				{Config: resourceOnly, PlanOnly: true},
				{Config: unprotected},
			},
		})
	})
}

func TestAccImport_k3sDatastoreDocsExample(t *testing.T) {
	bucket := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := k3s.EnsureBucket(ctx, js, bucket, 1, 10); err != nil { // as KINE makes it
		t.Fatal(err)
	}
	const addr = "nats_k3s_datastore.adopted"
	config := providerBlock([]string{single.URL}, "") + example(t, "resources/nats_k3s_datastore/import-by-string-id.tf",
		`id = "kine"`, fmt.Sprintf("id = %q", bucket), `bucket = "kine"`, fmt.Sprintf("bucket = %q", bucket))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, bucket),
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: importedUnchanged(addr)},
			{Config: strings.Replace(config, fmt.Sprintf("bucket = %q\n", bucket), fmt.Sprintf("bucket = %q\n  deletion_protection = false\n", bucket), 1)},
		},
	})
}

// A bucket that real KINE made by itself, as on k3s' first start against a
// server nobody prepared, adopted with the docs' import block: the import
// is the plan's only action, the plan after it is empty, and KINE still
// serves every object it wrote, with its revisions.
func TestAccImport_k3sDatastoreMadeByKine(t *testing.T) {
	bucket := uniqueName(t)
	ds := kineData(t, single.URL, bucket, 20) // KINE creates the bucket, then writes
	js := testnats.JetStream(t, single.URL, nil, "")
	const addr = "nats_k3s_datastore.adopted"
	config := providerBlock([]string{single.URL}, "") + example(t, "resources/nats_k3s_datastore/import-by-string-id.tf",
		`id = "kine"`, fmt.Sprintf("id = %q", bucket), `bucket = "kine"`, fmt.Sprintf("bucket = %q", bucket))
	kineServesAll := func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		k, err := conformance.StartKine(ctx, kineEndpoint(single.URL, bucket))
		if err != nil {
			return fmt.Errorf("KINE refuses the adopted bucket: %w", err)
		}
		defer k.Stop()
		return testkine.Check(ctx, k.Client(), ds)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, bucket),
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: importedUnchanged(addr), Check: kineServesAll},
			{Config: strings.Replace(config, fmt.Sprintf("bucket = %q\n", bucket), fmt.Sprintf("bucket = %q\n  deletion_protection = false\n", bucket), 1)},
		},
	})
}

func TestAccImport_accountDocsExample(t *testing.T) {
	pub := pushAccount(t, accounts.Account{Name: "legacy",
		JetStream: &accounts.JetStreamLimits{DiskStorage: accounts.Int64(1 << 30), MemoryStorage: accounts.Int64(0)}})
	const addr = "nats_account.legacy"
	config := providerBlock(opCluster.URLs(), operatorBlock(opCluster)) +
		example(t, "resources/nats_account/import-by-string-id.tf", "ACOJJN6WUP4ODD75XEBKKTCCUJJCY5ZKQ56XVKYK4BBJWGVAPHGJN6DN", pub)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps:                    []resource.TestStep{{Config: config, ConfigPlanChecks: importedUnchanged(addr)}},
	})
}

// The servers keep exports and imports sorted by subject; a configuration
// may list them in any order.
func TestAccImport_accountExportsInAnyOrder(t *testing.T) {
	pub := pushAccount(t, accounts.Account{Name: "exporter", Exports: []accounts.Export{
		{Subject: "orders.>", Kind: accounts.KindStream}, {Subject: "$JS.API.>", Kind: accounts.KindService},
	}})
	config := providerBlock(opCluster.URLs(), operatorBlock(opCluster)) + fmt.Sprintf(`
import {
  to = nats_account.test
  id = %q
}

resource "nats_account" "test" {
  name = "exporter"
  exports = [
    { subject = "orders.>", type = "stream" },
    { subject = "$JS.API.>", type = "service" },
  ]
}
`, pub)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps:                    []resource.TestStep{{Config: config, ConfigPlanChecks: importedUnchanged(accountAddr)}},
	})
}

// pushAccount makes a with fresh keys, signs it with the operator of
// opCluster and pushes it to every server, as something made outside
// Terraform. It returns the public key.
func pushAccount(t *testing.T, a accounts.Account) string {
	t.Helper()
	res, signer := resolverFor(t, opCluster)
	id, err1 := accounts.NewKey(accounts.KeyAccount)
	sk, err2 := accounts.NewKey(accounts.KeyAccount)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	a.PublicKey, a.SigningKeys = id.PublicKey, []string{sk.PublicKey}
	tok, _, err := signer.EncodeAccount(a, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := res.Push(ctx, tok); err != nil {
		t.Fatal(err)
	}
	return id.PublicKey
}
