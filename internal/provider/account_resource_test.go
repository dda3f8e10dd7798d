package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

const accountAddr = "nats_account.test"

func accountConfig(op *testnats.Operator, body string) string {
	return providerBlock(op.URLs(), operatorBlock(op)) + fmt.Sprintf(`
resource "nats_account" "test" {
%s
}
`, body)
}

// resolverFor is a resolver client over op's system user, for checking what
// every server stores.
func resolverFor(t *testing.T, op *testnats.Operator) (*accounts.Resolver, *accounts.Signer) {
	t.Helper()
	nc, err := op.SystemConn()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	signer, err := accounts.NewSigner(op.JWT, op.SigningSeed)
	if err != nil {
		t.Fatal(err)
	}
	res, err := accounts.NewResolver(nc, signer.Operator(), accounts.ResolverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res, signer
}

// checkOnEveryServer passes when every server stores the JWT in state.
func checkOnEveryServer(res *accounts.Resolver, servers int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources[accountAddr]
		if rs == nil {
			return fmt.Errorf("%s not in state", accountAddr)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		got, err := res.Lookup(ctx, rs.Primary.Attributes["public_key"])
		if err != nil {
			return err
		}
		stored := 0
		for _, sv := range got.Servers {
			if sv.Stored {
				stored++
			}
		}
		if st := got.State(rs.Primary.Attributes["jwt"]); st != accounts.LookupMatch || stored != servers {
			return fmt.Errorf("lookup state %v on %d of %d servers, want the state's JWT on all", st, stored, servers)
		}
		return nil
	}
}

func accountIs(name string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(accountAddr, tfjsonpath.New(name), v)
}

// Create pushes to all 3 servers and KINE runs in the new account; an
// update re-pushes; import reads the servers' claims; an out-of-band delete
// is drift that re-creates it.
func TestAccAccount_lifecycle(t *testing.T) {
	res, signer := resolverFor(t, opCluster)
	name := uniqueName(t)
	base := fmt.Sprintf(`  name = %q
  jetstream = {
    disk_storage   = 1073741824
    memory_storage = 0
    streams        = 10
  }`, name)
	var firstKey string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:           accountConfig(opCluster, base),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					accountIs("disallow_bearer", knownvalue.Bool(true)),
					accountIs("public_key", knownvalue.StringRegexp(errorLike(`^A[A-Z2-7]{55}$`))),
					accountIs("signing_seed", knownvalue.StringRegexp(errorLike(`^SA`))),
					accountIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{"passed": knownvalue.Bool(true)})),
				},
				Check: resource.ComposeTestCheckFunc(
					checkOnEveryServer(res, 3),
					func(s *terraform.State) error {
						firstKey = s.RootModule().Resources[accountAddr].Primary.Attributes["public_key"]
						return nil
					},
				),
			},
			{
				Config: accountConfig(opCluster, base+`
  limits = { connections = 50 }
  exports = [{ subject = "$JS.API.>", type = "service" }]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkOnEveryServer(res, 3),
			},
			{
				ResourceName:            accountAddr,
				ImportState:             true,
				ImportStateIdFunc:       func(*terraform.State) (string, error) { return firstKey, nil },
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"signing_seed", "conformance_report"},
			},
			{
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					if _, err := res.Delete(ctx, signer, firstKey); err != nil {
						t.Fatal(err)
					}
				},
				Config: accountConfig(opCluster, base+`
  limits = { connections = 50 }
  exports = [{ subject = "$JS.API.>", type = "service" }]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionCreate)},
				},
				Check: checkOnEveryServer(res, 3),
			},
		},
	})
}

func TestAccAccount_badInput(t *testing.T) {
	cases := map[string]struct{ config, want string }{
		"tiered and untiered": {accountConfig(opCluster, `  name = "x"
  jetstream = { streams = 1 }
  jetstream_tiers = { R1 = { streams = 1 } }`), `Invalid Attribute Combination.*jetstream.*jetstream_tiers`},
		"bad tier": {accountConfig(opCluster, `  name = "x"
  jetstream_tiers = { R9 = { streams = 1 } }`), `jetstream_tiers.*must be a JetStream tier`},
		"bad revoked key": {accountConfig(opCluster, `  name = "x"
  revoked_user_keys = ["not-a-key"]`), `revoked_user_keys.*must be a user public key`},
		"no operator": {providerBlock(opCluster.URLs(), "") + `resource "nats_account" "test" { name = "x" }`, `No operator configured.*operator block`},
		"untrusted signing key": {providerBlock(opCluster.URLs(), fmt.Sprintf("  operator {\n    jwt = %q\n    signing_seed = %q\n    system_user_creds = %s\n  }\n",
			opCluster.JWT, string(operator.SigningSeed), hcl(string(opCluster.SystemCreds)))) + `resource "nats_account" "test" { name = "x" }`,
			`operator.*signing`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: errorLike(tc.want)}},
			})
		})
	}
}

// The memory resolver cannot look up or delete accounts: account resources
// refuse it with a diagnostic that says what the servers need.
func TestAccAccount_memoryResolver(t *testing.T) {
	op, err := testnats.StartOperator(testnats.OperatorOptions{MemoryResolver: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(op.Shutdown)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:      accountConfig(op, `  name = "on-memory"`),
			ExpectError: errorLike(`Cannot push account "on-memory".*memory resolver.*need the full \(directory\) resolver`),
		}},
	})
}

// Claims changed outside Terraform (pushed by someone else) show in the next
// plan, and apply puts the configured ones back on every server.
func TestAccAccount_driftChangedClaims(t *testing.T) {
	res, signer := resolverFor(t, opCluster)
	config := accountConfig(opCluster, fmt.Sprintf(`  name = %q
  limits = { connections = 10 }`, uniqueName(t)))
	var pub string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: config, Check: resource.ComposeTestCheckFunc(checkOnEveryServer(res, 3), func(s *terraform.State) error {
				pub = s.RootModule().Resources[accountAddr].Primary.Attributes["public_key"]
				return nil
			})},
			{
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					got, err := res.Lookup(ctx, pub)
					if err != nil {
						t.Fatal(err)
					}
					token, _ := got.JWT()
					a, err := accounts.AccountFromJWT(token)
					if err != nil {
						t.Fatal(err)
					}
					a.Limits.Connections = accounts.Int64(99)
					changed, _, err := signer.EncodeAccount(a, "")
					if err != nil {
						t.Fatal(err)
					}
					if _, err := res.Push(ctx, changed); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					accountIs("limits", knownvalue.ObjectPartial(map[string]knownvalue.Check{"connections": knownvalue.Int64Exact(10)})),
				},
				Check: checkOnEveryServer(res, 3),
			},
		},
	})
}

// With purge_jetstream_on_destroy, destroying the account deletes its
// streams first: nothing of its buckets stays on any server's disk.
func TestAccAccount_purgeOnDestroy(t *testing.T) {
	var pub string
	const bucket = "purge_me"
	streamDirs := func() []string {
		var found []string
		for _, s := range opCluster.Servers {
			m, _ := filepath.Glob(filepath.Join(s.StoreDir(), "*", pub, "streams", "KV_"+bucket))
			found = append(found, m...)
		}
		return found
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(*terraform.State) error {
			if d := streamDirs(); len(d) > 0 {
				return fmt.Errorf("the account's bucket is still on disk after destroy: %v", d)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: accountConfig(opCluster, fmt.Sprintf(`  name = %q
  jetstream = { disk_storage = 104857600, memory_storage = 0 }
  purge_jetstream_on_destroy = true
  conformance = { mode = "off" }`, uniqueName(t))),
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources[accountAddr].Primary.Attributes
				pub = attrs["public_key"]
				user, err := accounts.IssueUser(accounts.User{Name: "filler", Account: pub}, []byte(attrs["signing_seed"]), nil)
				if err != nil {
					return err
				}
				js := testnats.JetStream(t, opCluster.Servers[0].URL, user.Creds, "")
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if _, err := kv.CreateExact(ctx, js, jetstream.KeyValueConfig{Bucket: bucket, Replicas: 3}); err != nil {
					return err
				}
				if len(streamDirs()) == 0 {
					return fmt.Errorf("found no stream directory for %s: the check would prove nothing", bucket)
				}
				return nil
			},
		}},
	})
}

// A resolver without allow_delete cannot delete: destroy fails saying what
// the servers need, and the account stays.
func TestAccAccount_deleteNotAllowed(t *testing.T) {
	op, err := testnats.StartOperator(testnats.OperatorOptions{NoDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(op.Shutdown)
	config := accountConfig(op, `  name = "kept"
  conformance = { mode = "off" }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		// removed blocks arrived in Terraform 1.7.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:      config,
				Destroy:     true,
				ExpectError: errorLike(`Cannot delete account "kept".*allow_delete: true`),
			},
			{
				// Forget it without deleting, so the test can end.
				Config: providerBlock(op.URLs(), operatorBlock(op)) + `
removed {
  from = nats_account.test
  lifecycle {
    destroy = false
  }
}
`,
			},
		},
	})
}

// purge_jetstream_on_destroy with a k3s datastore in the account: the
// destroy stops, naming the bucket, and nothing is purged or deleted;
// purge_k3s_datastores lets it go. The provider sets an inbox prefix,
// which the purge user is minted for (the purge used to fail on it).
func TestAccAccount_purgeGuardsDatastores(t *testing.T) {
	name := uniqueName(t)
	var pub, seed string
	streams := func() (map[string]bool, error) {
		user, err := accounts.IssueUser(accounts.User{Name: "observer", Account: pub}, []byte(seed), nil)
		if err != nil {
			return nil, err
		}
		return listBuckets(testnats.JetStream(t, opCluster.Servers[0].URL, user.Creds, ""))
	}
	config := func(extra string) string {
		return providerBlock(opCluster.URLs(), operatorBlock(opCluster)+`  inbox_prefix = "_INBOX_k3s"`) + fmt.Sprintf(`
resource "nats_account" "test" {
  name = %q
  jetstream = { disk_storage = 104857600, memory_storage = 0 }
  purge_jetstream_on_destroy = true
  conformance = { mode = "off" }
%s
}
`, name, extra)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(*terraform.State) error {
			for _, s := range opCluster.Servers {
				for _, b := range []string{"guarded", "plain"} {
					if m, _ := filepath.Glob(filepath.Join(s.StoreDir(), "*", pub, "streams", "KV_"+b)); len(m) > 0 {
						return fmt.Errorf("bucket %s is still on disk after the purge: %v", b, m)
					}
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(""),
				Check: func(s *terraform.State) error {
					attrs := s.RootModule().Resources[accountAddr].Primary.Attributes
					pub, seed = attrs["public_key"], attrs["signing_seed"]
					user, err := accounts.IssueUser(accounts.User{Name: "filler", Account: pub}, []byte(seed), nil)
					if err != nil {
						return err
					}
					js := testnats.JetStream(t, opCluster.Servers[0].URL, user.Creds, "")
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					if _, err := k3s.EnsureBucket(ctx, js, "guarded", 1, 10); err != nil {
						return err
					}
					_, err = kv.CreateExact(ctx, js, jetstream.KeyValueConfig{Bucket: "plain"})
					return err
				},
			},
			{
				Config:      config(""),
				Destroy:     true,
				ExpectError: errorLike(`Account ".*" holds k3s cluster state.*datastore bucket\(s\) "guarded".*nothing was purged or deleted`),
			},
			{
				PreConfig: func() {
					got, err := streams()
					if err != nil || !got["guarded"] || !got["plain"] {
						t.Fatalf("after the refused destroy the account holds %v (err %v), want both buckets", got, err)
					}
				},
				Config: config("  purge_k3s_datastores = true"),
			},
		},
	})
}
