package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

const datastoreAddr = "nats_k3s_datastore.test"

func datastoreConfig(provider, bucket, body string) string {
	return provider + fmt.Sprintf(`
resource "nats_k3s_datastore" "test" {
  bucket = %q
%s
}
`, bucket, body)
}

func datastoreIs(name string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(datastoreAddr, tfjsonpath.New(name), v)
}

func checkReportPassed() statecheck.StateCheck {
	return datastoreIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{"passed": knownvalue.Bool(true)}))
}

// checkKINEAccepts runs KINE's own create call with the endpoint's params:
// it fails with "already in use" unless the bucket is exactly KINE's.
func checkKINEAccepts(js jetstream.JetStream, bucket string, replicas, revHistory int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := kv.CreateExact(context.Background(), js, k3s.BucketConfig(bucket, replicas, revHistory)); err != nil {
			return fmt.Errorf("KINE (replicas %d, revHistory %d) refuses bucket %s: %w", replicas, revHistory, bucket, err)
		}
		return nil
	}
}

// Create, check with real KINE, import, resize in place on a cluster with
// the endpoint in step, and deletion protection on by default.
func TestAccK3sDatastore_lifecycle(t *testing.T) {
	bucket := uniqueName(t)
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	prov := providerBlock(cluster.URLs(), "")
	host := strings.TrimPrefix(cluster.Servers[0].URL, "nats://")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, bucket),
		Steps: []resource.TestStep{
			{
				Config:           datastoreConfig(prov, bucket, ""),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					checkReportPassed(),
					datastoreIs("adopted", knownvalue.Bool(false)),
					datastoreIs("deletion_protection", knownvalue.Bool(true)),
					datastoreIs("endpoint_redacted", knownvalue.StringRegexp(errorLike(
						`^nats://`+host+`\?bucket=`+bucket+`&replicas=1&revHistory=10&noEmbed=true,nats://`))),
					datastoreIs("k3s_config", knownvalue.StringRegexp(errorLike(`^datastore-endpoint: "nats://`))),
				},
				Check: checkKINEAccepts(js, bucket, 1, 10),
			},
			{
				ResourceName:            datastoreAddr,
				ImportState:             true,
				ImportStateId:           bucket,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"conformance_report", "adopted"},
			},
			{
				Config: datastoreConfig(prov, bucket, `  replicas = 3
  rev_history = 20`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(datastoreAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					checkReportPassed(),
					datastoreIs("endpoint_redacted", knownvalue.StringRegexp(errorLike(`replicas=3&revHistory=20`))),
				},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error { return clusterHasPeers(js, bucket, 2) },
					checkKINEAccepts(js, bucket, 3, 20),
				),
			},
			{
				Config: datastoreConfig(prov, bucket, `  replicas = 3
  rev_history = 20`),
				Destroy:     true,
				ExpectError: errorLike(`Datastore is protected from deletion.*deletion_protection = true, so nothing was deleted`),
			},
			{
				Config: datastoreConfig(prov, bucket, `  replicas = 3
  rev_history = 20
  deletion_protection = false`),
			},
		},
	})
}

// An existing bucket with exactly KINE's settings is adopted; one with other
// settings is refused, every difference listed, and left as it was.
func TestAccK3sDatastore_adoptAndRefuse(t *testing.T) {
	good, bad := uniqueName(t)+"_good", uniqueName(t)+"_bad"
	js := testnats.JetStream(t, single.URL, nil, "")
	ctx := context.Background()
	if _, err := kv.CreateExact(ctx, js, k3s.BucketConfig(good, 1, 10)); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.CreateExact(ctx, js, jetstream.KeyValueConfig{Bucket: bad, History: 5, Compression: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { js.DeleteKeyValue(ctx, bad) })
	prov := providerBlock([]string{single.URL}, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, good),
		Steps: []resource.TestStep{
			{
				Config:      datastoreConfig(prov, bad, `  deletion_protection = false`),
				ExpectError: errorLike(`Existing bucket is not a KINE datastore.*with nats_k3s_datastore.test.*History is 5.*Compression`),
				Check:       checkStream(t, js, bad, historyIs(5)),
			},
			{
				Config:            datastoreConfig(prov, good, `  deletion_protection = false`),
				ConfigPlanChecks:  expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{checkReportPassed(), datastoreIs("adopted", knownvalue.Bool(true))},
			},
		},
	})
}

// In an account of an operator-mode system, with the creds file k3s will
// use: KINE runs with exactly that endpoint, the path replaced by a private
// file holding the same credentials.
func TestAccK3sDatastore_credsFile(t *testing.T) {
	bucket := uniqueName(t)
	url := operator.Servers[0].URL
	jsA := testnats.JetStream(t, url, accA.Creds, "")
	prov := providerBlock([]string{url}, "  credentials_data = "+hcl(string(accB.Creds)))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, jsA, bucket),
		Steps: []resource.TestStep{{
			Config: datastoreConfig(prov, bucket, fmt.Sprintf(`  credentials = %s
  creds_file  = "/etc/rancher/k3s/nats.creds"
  deletion_protection = false`, hcl(string(accA.Creds)))),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				checkReportPassed(),
				datastoreIs("endpoint_redacted", knownvalue.StringRegexp(errorLike(`credsFile=%2Fetc%2Francher%2Fk3s%2Fnats.creds`))),
			},
			Check: checkKINEAccepts(jsA, bucket, 1, 10),
		}},
	})
}

// A KINE user without STREAM.CREATE: KINE would retry forever. The check
// fails fast at the permissions step, naming the subject, and the apply fails.
func TestAccK3sDatastore_missingPermission(t *testing.T) {
	bucket := uniqueName(t)
	url := operator.Servers[0].URL
	jsA := testnats.JetStream(t, url, accA.Creds, "")
	if _, err := kv.CreateExact(context.Background(), jsA, k3s.BucketConfig(bucket, 1, 10)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { jsA.DeleteKeyValue(context.Background(), bucket) })
	pub, sub := k3s.Permissions(bucket, "")
	var limited []string
	for _, p := range pub {
		if !strings.Contains(p, "STREAM.CREATE") {
			limited = append(limited, p)
		}
	}
	// STREAM.DELETE only so that the test can clean up as this user.
	limited = append(limited, "$JS.API.STREAM.DELETE.KV_"+bucket)
	creds, err := accA.User("no-create", limited, sub)
	if err != nil {
		t.Fatal(err)
	}
	prov := providerBlock([]string{url}, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: datastoreConfig(prov, bucket, fmt.Sprintf(`  credentials = %s
  creds_file  = "/etc/k3s/nats.creds"
  deletion_protection = false`, hcl(string(creds)))),
			ExpectError: errorLike(`KINE conformance check failed for datastore.*STREAM.CREATE.KV_` + bucket),
		}},
	})
}

// A server with the default 1 MiB max_payload cannot hold Kubernetes
// objects: the check fails (report mode records it, the apply succeeds).
func TestAccK3sDatastore_smallPayload(t *testing.T) {
	s := smallPayloadServer(t)
	bucket := uniqueName(t)
	prov := providerBlock([]string{s.URL}, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: datastoreConfig(prov, bucket, `  deletion_protection = false
  conformance = { profile = "full" }`),
				ExpectError: errorLike(`KINE conformance check failed for datastore.*max_payload`),
			},
			{
				Config: datastoreConfig(prov, bucket, `  deletion_protection = false
  conformance = { profile = "full", mode = "report" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					datastoreIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"passed":  knownvalue.Bool(false),
						"summary": knownvalue.StringRegexp(errorLike(`max_payload`)),
					})),
				},
			},
		},
	})
}

// Every invalid value gives a diagnostic on its attribute and creates no
// bucket.
func TestAccK3sDatastore_badInput(t *testing.T) {
	js := testnats.JetStream(t, single.URL, nil, "")
	prov := providerBlock([]string{single.URL}, "")
	cases := []struct {
		name, bucket, body, want string
	}{
		{"dot in bucket", "ds.bad", "", `bucket.*may only contain letters`},
		{"replicas 6", "ds_r6", "  replicas = 6", `replicas.*between 1 and 5`},
		{"rev_history 1", "ds_h1", "  rev_history = 1", `rev_history.*between 2 and 64`},
		{"creds and context file", "ds_cc", `  creds_file   = "/etc/k3s/nats.creds"
  context_file = "/etc/k3s/nats.json"`, `Invalid Attribute Combination.*creds_file.*context_file`},
		{"cert without key", "ds_ck", `  cert_file = "/etc/nats/kine.pem"`, `Invalid Attribute Combination.*key_file.*must be specified when.*cert_file`},
		{"tls scheme in servers", "ds_ts", `  servers = ["tls://127.0.0.1:4222"]`, `Invalid datastore server.*servers.*KINE only dials nats://`},
		{"password in server", "ds_pw", `  servers = ["nats://kine:secret@127.0.0.1:4222"]`, `Invalid datastore server.*credentials belong in`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:      datastoreConfig(prov, tc.bucket, tc.body+"\n  deletion_protection = false"),
					ExpectError: errorLike(tc.want),
				}},
			})
			if names, err := listBuckets(js); err != nil {
				t.Fatal(err)
			} else if names[tc.bucket] {
				t.Errorf("bucket %q was created", tc.bucket)
			}
		})
	}
}

// smallPayloadServer is a server of its own for one test, with NATS's
// default 1 MiB max_payload: too small for Kubernetes objects, so the full
// check fails on it.
func smallPayloadServer(t *testing.T) *testnats.Server {
	t.Helper()
	s, err := testnats.Start(testnats.Config{MaxPayload: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	if err := testnats.Anchor(s.URL); err != nil {
		t.Fatal(err)
	}
	return s
}
