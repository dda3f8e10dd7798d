package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

const bucketAddr = "nats_kv_bucket.test"

func bucketConfig(servers []string, name, body string) string {
	return providerBlock(servers, "") + fmt.Sprintf(`
resource "nats_kv_bucket" "test" {
  name = %q
%s
}
`, name, body)
}

func expectEmptyPlanAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

func expectAction(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, action)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}

func stateIs(name string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New(name), v)
}

// Create with defaults, read back, import, then update every in-place
// setting and check the server really changed.
func TestAccKVBucket_createUpdateImport(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	servers := []string{single.URL}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{
				Config:           bucketConfig(servers, name, ""),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs("id", knownvalue.StringExact(name)),
					stateIs("stream_name", knownvalue.StringExact("KV_"+name)),
					stateIs("history", knownvalue.Int64Exact(1)),
					stateIs("ttl", knownvalue.StringExact("0s")),
					stateIs("max_value_size", knownvalue.Int64Exact(-1)),
					stateIs("max_bytes", knownvalue.Int64Exact(-1)),
					stateIs("storage", knownvalue.StringExact("file")),
					stateIs("replicas", knownvalue.Int64Exact(1)),
					stateIs("compression", knownvalue.Bool(false)),
					stateIs("metadata", knownvalue.MapSizeExact(0)),
					stateIs("deletion_protection", knownvalue.Bool(false)),
				},
				Check: checkStream(t, js, name, func(c jetstream.StreamConfig) error {
					if c.MaxMsgsPerSubject != 1 || c.Storage != jetstream.FileStorage {
						return fmt.Errorf("server has history %d storage %v", c.MaxMsgsPerSubject, c.Storage)
					}
					return nil
				}),
			},
			{
				ResourceName:      bucketAddr,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
				// The check's report is not server state: an import cannot know it.
				ImportStateVerifyIgnore: []string{"conformance_report", "deletion_protection"},
			},
			{
				Config: bucketConfig(servers, name, `
  description      = "orders"
  history          = 10
  ttl              = "1h"
  max_value_size   = 2048
  max_bytes        = 10485760
  compression      = true
  metadata         = { team = "platform" }
  limit_marker_ttl = "5s"
  republish = {
    destination = "audit.>"
  }`),
				ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs("ttl", knownvalue.StringExact("1h")),
					stateIs("metadata", knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("platform")})),
					stateIs("republish", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"source": knownvalue.StringExact(">"), "destination": knownvalue.StringExact("audit.>"), "headers_only": knownvalue.Bool(false),
					})),
				},
				Check: checkStream(t, js, name, func(c jetstream.StreamConfig) error {
					switch {
					case c.Description != "orders", c.MaxMsgsPerSubject != 10, c.MaxAge != time.Hour,
						c.MaxMsgSize != 2048, c.MaxBytes != 10485760, c.Compression != jetstream.S2Compression,
						c.Metadata["team"] != "platform", c.SubjectDeleteMarkerTTL != 5*time.Second,
						c.RePublish == nil || c.RePublish.Destination != "audit.>":
						return fmt.Errorf("server config not updated in place: %+v", c)
					}
					return nil
				}),
			},
			{
				// The server adds _nats.* metadata of its own: importing must not
				// see it. An import reads durations in the server's spelling
				// ("1h0m0s" for the configured "1h"); the type treats them as equal.
				ResourceName:            bucketAddr,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"ttl", "conformance_report", "deletion_protection"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if got := states[0].Attributes["ttl"]; got != "1h0m0s" {
						return fmt.Errorf("imported ttl = %q, want 1h0m0s", got)
					}
					return nil
				},
			},
		},
	})
}

// A new name or storage replaces the bucket; the old one is gone.
func TestAccKVBucket_replace(t *testing.T) {
	name := uniqueName(t)
	renamed := name + "_2"
	js := testnats.JetStream(t, single.URL, nil, "")
	servers := []string{single.URL}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, renamed),
		Steps: []resource.TestStep{
			{Config: bucketConfig(servers, name, "")},
			{
				Config:           bucketConfig(servers, name, `storage = "memory"`),
				ConfigPlanChecks: expectAction(plancheck.ResourceActionDestroyBeforeCreate),
				Check: checkStream(t, js, name, func(c jetstream.StreamConfig) error {
					if c.Storage != jetstream.MemoryStorage {
						return fmt.Errorf("storage on server is %v", c.Storage)
					}
					return nil
				}),
			},
			{
				Config:           bucketConfig(servers, renamed, `storage = "memory"`),
				ConfigPlanChecks: expectAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs("id", knownvalue.StringExact(renamed)),
					stateIs("stream_name", knownvalue.StringExact("KV_"+renamed)),
				},
				Check: resource.ComposeTestCheckFunc(
					checkNoBucket(t, js, name),
					checkStream(t, js, renamed, func(jetstream.StreamConfig) error { return nil }),
				),
			},
		},
	})
}

// Deleted outside Terraform: gone from state and re-created. Changed outside
// Terraform: the plan shows the difference and apply puts it back.
func TestAccKVBucket_drift(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	servers := []string{single.URL}
	config := bucketConfig(servers, name, `history = 3`)
	ctx := context.Background()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if err := js.DeleteKeyValue(ctx, name); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config,
				ConfigPlanChecks: expectAction(plancheck.ResourceActionCreate),
				Check:            checkStream(t, js, name, historyIs(3)),
			},
			{
				PreConfig: func() {
					s, err := js.Stream(ctx, "KV_"+name)
					if err != nil {
						t.Fatal(err)
					}
					cfg := s.CachedInfo().Config
					cfg.MaxMsgsPerSubject = 7
					if _, err := js.UpdateStream(ctx, cfg); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config,
				ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
				Check:            checkStream(t, js, name, historyIs(3)),
			},
		},
	})
}

// The refresh reads buckets from one stream listing shared by every bucket
// of the command; a listing from an earlier command (here the same provider
// process, as in-process tests run it) must never hide a change made
// outside Terraform since: one bucket changed and one deleted among several
// are both seen, the untouched one plans nothing.
func TestAccKVBucket_driftAmongListed(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	config := providerBlock([]string{single.URL}, "") + fmt.Sprintf(`
resource "nats_kv_bucket" "many" {
  count   = 3
  name    = "%s-${count.index}"
  history = 3
}
`, name)
	ctx := context.Background()
	at := func(i int) string { return fmt.Sprintf("nats_kv_bucket.many[%d]", i) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(s *terraform.State) error {
			for i := range 3 {
				if err := checkNoBucket(t, js, fmt.Sprintf("%s-%d", name, i))(s); err != nil {
					return err
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: expectEmptyPlanAfterApply()},
			{
				PreConfig: func() {
					s, err := js.Stream(ctx, fmt.Sprintf("KV_%s-1", name))
					if err != nil {
						t.Fatal(err)
					}
					cfg := s.CachedInfo().Config
					cfg.MaxMsgsPerSubject = 7
					if _, err := js.UpdateStream(ctx, cfg); err != nil {
						t.Fatal(err)
					}
					if err := js.DeleteKeyValue(ctx, fmt.Sprintf("%s-2", name)); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(at(0), plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(at(1), plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(at(2), plancheck.ResourceActionCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkStream(t, js, name+"-1", historyIs(3)),
			},
		},
	})
}

func historyIs(n int64) func(jetstream.StreamConfig) error {
	return func(c jetstream.StreamConfig) error {
		if c.MaxMsgsPerSubject != n {
			return fmt.Errorf("history on server is %d, want %d", c.MaxMsgsPerSubject, n)
		}
		return nil
	}
}

// deletion_protection makes destroy fail, naming the attribute, and keeps
// the bucket.
func TestAccKVBucket_deletionProtection(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	servers := []string{single.URL}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{Config: bucketConfig(servers, name, `deletion_protection = true`)},
			{
				Config:      bucketConfig(servers, name, `deletion_protection = true`),
				Destroy:     true,
				ExpectError: errorLike(`Bucket is protected from deletion.*deletion_protection = true, so it was not deleted`),
			},
			{
				Config: bucketConfig(servers, name, `deletion_protection = true`),
				Check:  checkStream(t, js, name, func(jetstream.StreamConfig) error { return nil }),
			},
			{Config: bucketConfig(servers, name, `deletion_protection = false`)},
		},
	})
}

// Replicas 1 -> 3 on a cluster really changes the stream on the server.
func TestAccKVBucket_clusterReplicas(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	servers := cluster.URLs()
	replicasAre := func(n int) func(jetstream.StreamConfig) error {
		return func(c jetstream.StreamConfig) error {
			if c.Replicas != n {
				return fmt.Errorf("replicas on server is %d, want %d", c.Replicas, n)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{
				Config:           bucketConfig(servers, name, `replicas = 1`),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				Check:            checkStream(t, js, name, replicasAre(1)),
			},
			{
				Config:           bucketConfig(servers, name, `replicas = 3`),
				ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(
					checkStream(t, js, name, replicasAre(3)),
					func(*terraform.State) error { return clusterHasPeers(js, name, 2) },
				),
			},
		},
	})
}

// clusterHasPeers waits until the bucket's stream has a leader and n
// followers: the replicas exist on servers, not just in the config.
func clusterHasPeers(js jetstream.JetStream, bucket string, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		s, err := js.Stream(ctx, "KV_"+bucket)
		if err == nil {
			ci := s.CachedInfo().Cluster
			if ci != nil && ci.Leader != "" && len(ci.Replicas) == n {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bucket %s never had a leader and %d followers", bucket, n)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// A bucket in another JetStream domain, reached through the hub, imported
// as <domain>/<name>.
func TestAccKVBucket_domain(t *testing.T) {
	name := uniqueName(t)
	leafJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "")
	hubJS := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "")
	servers := []string{hubLeaf.Hub.URL}
	config := bucketConfig(servers, name, `jetstream_domain = "leaf"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, leafJS, name),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigPlanChecks:  expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{stateIs("id", knownvalue.StringExact("leaf/"+name))},
				Check: resource.ComposeTestCheckFunc(
					checkStream(t, leafJS, name, func(jetstream.StreamConfig) error { return nil }),
					checkNoBucket(t, hubJS, name),
				),
			},
			{
				ResourceName:      bucketAddr,
				ImportState:       true,
				ImportStateId:     "leaf/" + name,
				ImportStateVerify: true,
				// The check's report is not server state: an import cannot know it.
				ImportStateVerifyIgnore: []string{"conformance_report", "deletion_protection"},
			},
		},
	})
}

// The credentials override puts the bucket in another account: the
// provider's own identity (account A) never sees it.
func TestAccKVBucket_credentialsOverride(t *testing.T) {
	name := uniqueName(t)
	url := operator.Servers[0].URL
	jsA := testnats.JetStream(t, url, accA.Creds, "")
	jsB := testnats.JetStream(t, url, accB.Creds, "")
	config := providerBlock([]string{url}, "  credentials_data = "+hcl(string(accA.Creds))) + fmt.Sprintf(`
resource "nats_kv_bucket" "test" {
  name        = %q
  credentials = %s
}
resource "nats_kv_bucket" "own" {
  name = %q
}
`, name, hcl(string(accB.Creds)), name+"_a")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkNoBucket(t, jsB, name), checkNoBucket(t, jsA, name+"_a")),
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				Check: resource.ComposeTestCheckFunc(
					checkStream(t, jsB, name, func(jetstream.StreamConfig) error { return nil }),
					checkNoBucket(t, jsA, name),
					checkStream(t, jsA, name+"_a", func(jetstream.StreamConfig) error { return nil }),
					checkNoBucket(t, jsB, name+"_a"),
				),
			},
		},
	})
}

// The server's own words reach the user, on the attribute they concern,
// and nothing is left behind.
func TestAccKVBucket_serverError(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{
				Config:      bucketConfig([]string{single.URL}, name, `replicas = 3`),
				ExpectError: errorLike(`Cannot create bucket.*with nats_kv_bucket.test,.*replicas = 3.*replicas > 1 not supported in non-clustered mode`),
			},
		},
	})
}

// Every invalid value gives a diagnostic on its attribute and creates nothing.
func TestAccKVBucket_badInput(t *testing.T) {
	js := testnats.JetStream(t, single.URL, nil, "")
	servers := []string{single.URL}
	cases := []struct {
		name, config string
		want         string
	}{
		{"dot in name", bucketConfig(servers, "a.b", ""), `name.*may only contain letters`},
		{"space in name", bucketConfig(servers, "a b", ""), `name.*may only contain letters`},
		{"history 0", bucketConfig(servers, "h0", `history = 0`), `history.*between 1 and 64`},
		{"history 65", bucketConfig(servers, "h65", `history = 65`), `history.*between 1 and 64`},
		{"replicas 0", bucketConfig(servers, "r0", `replicas = 0`), `replicas.*between 1 and 5`},
		{"replicas 6", bucketConfig(servers, "r6", `replicas = 6`), `replicas.*between 1 and 5`},
		{"negative max_bytes", bucketConfig(servers, "mb", `max_bytes = -5`), `max_bytes.*at least -1`},
		{"negative max_value_size", bucketConfig(servers, "mv", `max_value_size = -2`), `max_value_size.*between -1`},
		{"bad ttl", bucketConfig(servers, "bt", `ttl = "ten minutes"`), `Invalid Time Duration.*ttl = "ten minutes"`},
		{"negative ttl", bucketConfig(servers, "nt", `ttl = "-1h"`), `ttl.*must not be a negative duration`},
		{"bad limit_marker_ttl", bucketConfig(servers, "bl", `limit_marker_ttl = "5 parsecs"`), `Invalid Time Duration.*limit_marker_ttl = "5 parsecs"`},
		{"empty placement", bucketConfig(servers, "ep", `placement = {}`), `Empty placement.*placement has no attribute set`},
		{"unknown storage", bucketConfig(servers, "us", `storage = "tape"`), `storage.*value must be one of`},
		{"two identities", providerBlock(servers, `  token = "t"
  user = "u"
  password = "p"`) + `resource "nats_kv_bucket" "test" { name = "ti" }`, `Two identities configured.*token = "t".*Both user and token are set`},
		{"bad server url", providerBlock([]string{"127.0.0.1 4222"}, "") + `resource "nats_kv_bucket" "test" { name = "su" }`, `servers.*must be a NATS URL`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:      tc.config,
					ExpectError: errorLike(tc.want),
				}},
			})
			names, err := listBuckets(js)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"a.b", "a b", "h0", "h65", "r0", "r6", "mb", "mv", "bt", "nt", "bl", "us", "ti", "su", "ep"} {
				if names[n] {
					t.Errorf("bucket %q was created", n)
				}
			}
		})
	}
}

func listBuckets(js jetstream.JetStream) (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	names := map[string]bool{}
	l := js.KeyValueStoreNames(ctx)
	for n := range l.Name() {
		names[n] = true
	}
	return names, l.Error()
}

// Durations written short, with metadata (which the create reads back from
// the server), as people write them: created in one apply, an empty plan
// after it.
func TestAccKVBucket_createWithMetadataAndShortDurations(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{{
			Config: bucketConfig([]string{single.URL}, name, `  storage = "memory"
  ttl = "1h"
  limit_marker_ttl = "90s"
  metadata = { team = "platform" }`),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				stateIs("ttl", knownvalue.StringExact("1h")),
				stateIs("limit_marker_ttl", knownvalue.StringExact("90s")),
			},
		}},
	})
}
