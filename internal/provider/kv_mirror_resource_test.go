package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

const mirrorAddr = "nats_kv_mirror.test"

func mirrorIs(name string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(mirrorAddr, tfjsonpath.New(name), v)
}

// mirrorResource is a mirror of source, with the body's other settings.
func mirrorResource(prov, name, source, body string) string {
	return prov + fmt.Sprintf(`
resource "nats_kv_mirror" "test" {
  name   = %q
  source = %s
%s
}
`, name, source, body)
}

// mirrorConfig is mirrorResource with the data sources that look at it.
func mirrorConfig(prov, name, source, body string) string {
	return mirrorResource(prov, name, source, body) + `
data "nats_kv_mirror" "test" {
  name             = nats_kv_mirror.test.name
  jetstream_domain = nats_kv_mirror.test.jetstream_domain
}

data "nats_k3s_datastore" "view" {
  bucket           = nats_kv_mirror.test.name
  jetstream_domain = nats_kv_mirror.test.jetstream_domain
}
`
}

// kineData writes a k3s-like dataset into bucket through an embedded KINE
// on the server at url.
func kineData(t *testing.T, url, bucket string, n int) testkine.Dataset {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	k, err := conformance.StartKine(ctx, kineEndpoint(url, bucket))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := k.Stop(); err != nil {
			t.Error(err)
		}
	}()
	ds, err := testkine.Write(ctx, k.Client(), "/registry/configmaps/default/", n)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// kineEndpoint is KINE's endpoint for bucket on the server at url.
func kineEndpoint(url, bucket string) string {
	return k3s.Endpoint{Servers: []string{strings.TrimPrefix(url, "nats://")}, Bucket: bucket, NoEmbed: true}.String()
}

// The cross-region shape: the source in the hub, a mirror of the same name
// in the leaf, managed through the hub. Create, read back with both data
// sources, import as <domain>/<name> with an empty plan after, a planned
// switchover that seals the source, an undone promotion refused by
// deletion protection.
func TestAccKVMirror_acrossDomains(t *testing.T) {
	name := uniqueName(t)
	ds := kineData(t, hubLeaf.Hub.URL, name, 60)
	hubJS := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "")
	leafJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "")
	prov := providerBlock([]string{hubLeaf.Hub.URL}, "")
	source := fmt.Sprintf(`{ bucket = %q, domain = "hub" }`, name)
	config := func(body string) string {
		return mirrorConfig(prov, name, source, `  jetstream_domain = "leaf"`+"\n"+body)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, leafJS, name),
		Steps: slices.Concat(
			[]resource.TestStep{
				{
					Config:           config(""),
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{
						mirrorIs("id", knownvalue.StringExact("leaf/"+name)),
						mirrorIs("history", knownvalue.Int64Exact(10)),
						mirrorIs("promote", knownvalue.Bool(false)),
						mirrorIs("deletion_protection", knownvalue.Bool(true)),
						mirrorIs("source_reachable", knownvalue.Bool(true)),
						mirrorIs("source_sealed", knownvalue.Bool(false)),
						mirrorIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"passed":  knownvalue.Bool(true),
							"summary": knownvalue.StringRegexp(errorLike(`passed: 3 steps`)),
						})),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("lag"), knownvalue.Int64Exact(0)),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("promoted"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("kine_accepts"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("source"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"bucket": knownvalue.StringExact(name), "domain": knownvalue.StringExact("hub"),
							"api_prefix": knownvalue.Null(), "deliver_prefix": knownvalue.Null(),
						})),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("kine_endpoint"),
							knownvalue.StringRegexp(errorLike(`bucket=`+name+`&replicas=1&revHistory=10`))),
						// KINE's view of another region's cluster, read from the mirror.
						statecheck.ExpectKnownValue("data.nats_k3s_datastore.view", tfjsonpath.New("live_keys"), knownvalue.Int64Exact(int64(len(ds.Live)))),
						statecheck.ExpectKnownValue("data.nats_k3s_datastore.view", tfjsonpath.New("kine_has_run"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("data.nats_k3s_datastore.view", tfjsonpath.New("accepted"), knownvalue.Bool(false)),
					},
					Check: checkStream(t, leafJS, name, func(c jetstream.StreamConfig) error {
						if c.Mirror == nil || c.Mirror.External == nil || c.Mirror.External.APIPrefix != "$JS.hub.API" || c.MirrorDirect || len(c.Subjects) > 0 {
							return fmt.Errorf("not a mirror across domains: %+v", c)
						}
						return nil
					}),
				},
			},
			importSteps("leaf/"+name, config("")),
			[]resource.TestStep{
				{
					Config:           config("  promote = true"),
					ConfigPlanChecks: expectMirrorAction(plancheck.ResourceActionUpdate),
					ConfigStateChecks: []statecheck.StateCheck{
						mirrorIs("promote", knownvalue.Bool(true)),
						mirrorIs("source_sealed", knownvalue.Bool(true)),
					},
					Check: resource.ComposeTestCheckFunc(
						checkStream(t, hubJS, name, func(c jetstream.StreamConfig) error {
							if !c.Sealed {
								return fmt.Errorf("the source is not sealed after a planned switchover")
							}
							return nil
						}),
						checkKINEAccepts(testnats.JetStream(t, hubLeaf.Hub.URL, nil, testnats.LeafDomain), name, 1, 10),
					),
				},
				{
					// Promotion is one way: undoing it is a replacement, which
					// deletion protection refuses.
					Config:      config("  promote = false"),
					ExpectError: errorLike(`Promoted mirror is protected from deletion`),
				},
				{
					Config:           config("  promote = true\n  deletion_protection = false"),
					ConfigPlanChecks: expectMirrorAction(plancheck.ResourceActionUpdate),
				},
			},
		),
	})
}

// importSteps import the mirror by id: read back as it was made, and with
// the documented configuration a plan of nothing but the import.
func importSteps(id, config string) []resource.TestStep {
	return []resource.TestStep{
		{
			ResourceName: mirrorAddr, ImportState: true, ImportStateId: id,
			ImportStateVerify: true, ImportStateVerifyIgnore: []string{"conformance_report", "timeouts"},
		},
		{Config: config, ResourceName: mirrorAddr, ImportState: true, ImportStateId: id, ImportStateKind: resource.ImportBlockWithID},
	}
}

func expectMirrorAction(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(mirrorAddr, action)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}

// In the source's own domain, under another name: import by name, drift
// (deleted and promoted outside Terraform), promotion, and a datastore
// adopting the promoted bucket, checked by KINE.
func TestAccKVMirror_sameDomain(t *testing.T) {
	src := uniqueName(t)
	name := src + "_copy"
	kineData(t, single.URL, src, 40)
	js := testnats.JetStream(t, single.URL, nil, "")
	prov := providerBlock([]string{single.URL}, "")
	source := fmt.Sprintf(`{ bucket = %q }`, src)
	config := func(body string) string {
		return mirrorConfig(prov, name, source, "  allow_source_disruption = true\n"+body)
	}
	spec := mirror.Spec{Name: name, Source: mirror.Source{Bucket: src}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: slices.Concat(
			[]resource.TestStep{
				{
					Config:           config(""),
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{
						mirrorIs("id", knownvalue.StringExact(name)),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("lag"), knownvalue.Int64Exact(0)),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("lag_time"), knownvalue.StringExact("0s")),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("last_activity"), knownvalue.NotNull()),
					},
					Check: checkStream(t, js, name, func(c jetstream.StreamConfig) error {
						if c.Mirror == nil || len(c.Mirror.SubjectTransforms) != 1 || c.Mirror.SubjectTransforms[0].Destination != "$KV."+name+".>" {
							return fmt.Errorf("the mirror does not move its keys under its own name: %+v", c.Mirror)
						}
						return nil
					}),
				},
			},
			importSteps(name, config("")),
			[]resource.TestStep{
				{
					// Deleted outside Terraform: made again.
					PreConfig: func() {
						if err := mirror.Delete(context.Background(), js, name); err != nil {
							t.Fatal(err)
						}
					},
					Config:           config(""),
					ConfigPlanChecks: expectMirrorAction(plancheck.ResourceActionCreate),
				},
				{
					// Promoted outside Terraform: promote drifts to true, and
					// the configuration's false would replace the bucket.
					PreConfig: func() {
						if _, err := mirror.Promote(context.Background(), js, js, spec, mirror.PromoteOptions{}); err != nil {
							t.Fatal(err)
						}
					},
					Config:             config(""),
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(mirrorAddr, plancheck.ResourceActionReplace),
					}},
				},
				{
					// The configuration catches up; a datastore adopts the
					// promoted bucket with its replicas and history, and its
					// KINE check passes.
					Config: config("  promote = true\n  deletion_protection = false") + `
resource "nats_k3s_datastore" "adopted" {
  bucket              = nats_kv_mirror.test.name
  replicas            = nats_kv_mirror.test.replicas
  rev_history         = nats_kv_mirror.test.history
  deletion_protection = false
}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("nats_k3s_datastore.adopted", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("nats_k3s_datastore.adopted", tfjsonpath.New("conformance_report"),
							knownvalue.ObjectPartial(map[string]knownvalue.Check{"passed": knownvalue.Bool(true)})),
						mirrorIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"passed": knownvalue.Bool(true), "profile": knownvalue.StringExact("quick"),
						})),
						statecheck.ExpectKnownValue("data.nats_kv_mirror.test", tfjsonpath.New("promoted"), knownvalue.Bool(true)),
					},
				},
			},
		),
	})
}

// On a 3-node cluster: a mirror with a placement, grown from one replica to
// three in place, promoted into KINE's bucket for replicas 3. The placement
// stays in the configuration without a diff after promotion.
func TestAccKVMirror_clusterReplicas(t *testing.T) {
	src := uniqueName(t)
	name := src + "_r3"
	kineData(t, cluster.Servers[0].URL, src, 30)
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	prov := providerBlock(cluster.URLs(), "")
	config := func(body string) string {
		return mirrorResource(prov, name, fmt.Sprintf(`{ bucket = %q }`, src), fmt.Sprintf(`  allow_source_disruption = true
  deletion_protection     = false
  placement               = { cluster = %q }
%s`, cluster.Servers[0].ClusterName(), body))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{Config: config(""), ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config:            config("  replicas = 3"),
				ConfigPlanChecks:  expectMirrorAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{mirrorIs("replicas", knownvalue.Int64Exact(3))},
				Check: checkStream(t, js, name, func(c jetstream.StreamConfig) error {
					if c.Replicas != 3 || c.Placement == nil {
						return fmt.Errorf("replicas %d, placement %+v", c.Replicas, c.Placement)
					}
					return nil
				}),
			},
			{
				Config:           config("  replicas = 3\n  promote = true"),
				ConfigPlanChecks: expectMirrorAction(plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(
					checkStream(t, js, name, func(c jetstream.StreamConfig) error {
						if c.Placement != nil || c.Mirror != nil || c.Replicas != 3 {
							return fmt.Errorf("promoted: %+v", c)
						}
						return nil
					}),
					checkKINEAccepts(js, name, 3, 10),
				),
			},
		},
	})
}

// Bad input is refused with a diagnostic on the attribute to change, and
// nothing is made.
func TestAccKVMirror_badInput(t *testing.T) {
	leafJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "")
	hubJS := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "")
	ttl := uniqueName(t) + "_ttl"
	ctx := context.Background()
	if _, err := hubJS.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: ttl, Description: k3s.KineDescription, History: 10, TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hubJS.DeleteKeyValue(ctx, ttl) })
	hub := providerBlock([]string{hubLeaf.Hub.URL}, "")
	for _, tc := range []struct {
		name, mirror, source, body, want string
		js                               jetstream.JetStream
	}{
		{"missing source", "absent", `{ bucket = "absent", domain = "hub" }`, `jetstream_domain = "leaf"`,
			`Source bucket not found.*bucket "absent" in JetStream domain "hub".*Nothing was created`, leafJS},
		{"same name in the same domain", "itself", `{ bucket = "itself" }`, `allow_source_disruption = true`,
			`needs another name than the source`, hubJS},
		{"same domain without leave to disturb the source", "copy", `{ bucket = "src" }`, ``,
			`answers them with "not found".*allow_source_disruption = true`, hubJS},
		{"source that is not KINE's", ttl, fmt.Sprintf(`{ bucket = %q, domain = "hub" }`, ttl), `jetstream_domain = "leaf"`,
			`Source can never become a k3s datastore.*TTL is 1h0m0s, KINE wants 0s`, leafJS},
		{"deliver prefix without an API prefix", "dp", `{ bucket = "dp", deliver_prefix = "d.x" }`, `jetstream_domain = "leaf"`,
			`api_prefix.*must be specified`, leafJS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:      mirrorConfig(hub, tc.mirror, tc.source, "  "+tc.body+"\n  deletion_protection = false"),
					ExpectError: errorLike(tc.want),
				}},
			})
			if _, err := streamConfig(t, tc.js, tc.mirror); err == nil && tc.mirror != ttl {
				t.Errorf("mirror %s was created", tc.mirror)
			}
		})
	}
	if c, err := streamConfig(t, leafJS, ttl); err == nil {
		t.Errorf("a mirror of the TTL bucket was created in the leaf: %+v", c.Mirror)
	}
}

// A mirror that sees its source but cannot read from it falls behind;
// promoting it while the source answers is refused, and it stays a mirror.
func TestAccKVMirror_promoteLaggingRefused(t *testing.T) {
	srv, err := testnats.StartCrossAccount()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	name := uniqueName(t)
	srcJS := testnats.JetStreamAs(t, srv.URL, testnats.AccountUser(testnats.SourceAccount), "")
	if _, err := srcJS.CreateKeyValue(context.Background(), k3s.BucketConfig(name, 1, 10)); err != nil {
		t.Fatal(err)
	}
	blind := testnats.JetStreamAs(t, srv.URL, testnats.AccountUser(testnats.BlindAccount), "")
	prov := providerBlock([]string{srv.URL}, `  user = "blind"
  password = "blind"`)
	source := fmt.Sprintf(`{ bucket = %q, api_prefix = %q, deliver_prefix = %q }`, name, testnats.CrossAPIPrefix, testnats.CrossDeliverPrefix)
	body := func(promote bool) string {
		return fmt.Sprintf("  wait_for_sync = false\n  deletion_protection = false\n  conformance = { mode = \"off\" }\n  promote = %v", promote)
	}
	put := func() {
		kv, err := srcJS.KeyValue(context.Background(), name)
		if err == nil {
			_, err = kv.Put(context.Background(), "key", []byte("value"))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: mirrorConfig(prov, name, source, body(false))},
			{
				PreConfig:   put,
				Config:      mirrorConfig(prov, name, source, body(true)),
				ExpectError: errorLike(`Mirror "` + name + `" is behind its source.*messages behind.*allow_lagging_promotion`),
			},
			{
				// Still a mirror: the state says promote = false, as configured.
				Config:   mirrorConfig(prov, name, source, body(false)),
				PlanOnly: true,
				Check: checkStream(t, blind, name, func(c jetstream.StreamConfig) error {
					if c.Mirror == nil {
						return fmt.Errorf("the lagging mirror was promoted")
					}
					return nil
				}),
			},
		},
	})
}

// Replacement follows where the mirror and its source are, not how their
// domains are spelled: writing out the provider's default domain for the
// mirror plans nothing; for a source in the mirror's own domain it is
// recorded in place, never a replacement.
func TestAccKVMirror_domainSpelling(t *testing.T) {
	name := uniqueName(t)
	local := name + "_local"
	kineData(t, hubLeaf.Hub.URL, name, 10)
	kineData(t, hubLeaf.Leaf.URL, local, 10)
	leafJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "")
	config := func(mirrorDomain, localSource string) string {
		domain := ""
		if mirrorDomain != "" {
			domain = fmt.Sprintf("  jetstream_domain = %q", mirrorDomain)
		}
		return providerBlock([]string{hubLeaf.Hub.URL}, `  jetstream_domain = "leaf"`) + fmt.Sprintf(`
resource "nats_kv_mirror" "test" {
  name                = %[1]q
  source              = { bucket = %[1]q, domain = "hub" }
  deletion_protection = false
%[3]s
}

resource "nats_kv_mirror" "local" {
  name                    = "%[2]s_copy"
  source                  = %[4]s
  allow_source_disruption = true
  deletion_protection     = false
%[3]s
}
`, name, local, domain, localSource)
	}
	implicit := fmt.Sprintf(`{ bucket = %q }`, local)
	spelled := fmt.Sprintf(`{ bucket = %q, domain = "leaf" }`, local)
	noop := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(mirrorAddr, plancheck.ResourceActionNoop),
		plancheck.ExpectResourceAction("nats_kv_mirror.local", plancheck.ResourceActionNoop),
	}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             resource.ComposeTestCheckFunc(checkNoBucket(t, leafJS, name), checkNoBucket(t, leafJS, local+"_copy")),
		Steps: []resource.TestStep{
			{
				Config: config("", implicit),
				ConfigStateChecks: []statecheck.StateCheck{
					mirrorIs("jetstream_domain", knownvalue.StringExact("leaf")),
					mirrorIs("id", knownvalue.StringExact("leaf/"+name)),
				},
				Check: checkStream(t, leafJS, name, func(jetstream.StreamConfig) error { return nil }),
			},
			{Config: config("leaf", implicit), ConfigPlanChecks: noop},
			{
				// A source attribute spelled out is recorded in place; nothing
				// changes on the server, and nothing is replaced.
				Config: config("leaf", spelled),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(mirrorAddr, plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("nats_kv_mirror.local", plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{Config: config("", spelled), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// The docs' import example: a mirror made outside Terraform, adopted with
// the configuration the docs show; the import is the plan's only action,
// and the plan after it is empty.
func TestAccImport_kvMirrorDocsExample(t *testing.T) {
	name := uniqueName(t)
	kineData(t, hubLeaf.Hub.URL, name, 10)
	leafJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "")
	hubJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, testnats.HubDomain)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := mirror.Create(ctx, leafJS, hubJS, mirror.Spec{Name: name, Source: mirror.Source{Bucket: name, Domain: testnats.HubDomain}}); err != nil {
		t.Fatal(err)
	}
	const addr = "nats_kv_mirror.adopted"
	config := providerBlock([]string{hubLeaf.Leaf.URL}, "") + example(t, "resources/nats_kv_mirror/import-by-string-id.tf",
		`"k3s-prod"`, fmt.Sprintf("%q", name), `"eu-west"`, `"hub"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, leafJS, name),
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: importedUnchanged(addr)},
			{Config: strings.Replace(config, "domain = \"hub\"\n  }", "domain = \"hub\"\n  }\n  deletion_protection = false", 1)},
		},
	})
}
