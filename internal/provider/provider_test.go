package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// Provider settings taken from another resource are unknown at plan time:
// the plan must not fail, and apply connects once they are known.
func TestAccProvider_unknownConfigAtPlan(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "url" {
  input = %q
}
provider "nats" {
  servers = [terraform_data.url.output]
}
resource "nats_kv_bucket" "test" {
  name = %q
}
`, single.URL, name),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			Check:            checkStream(t, js, name, func(jetstream.StreamConfig) error { return nil }),
		}},
	})
}

// With nothing configured, NATS_URL gives the servers and NATS_CREDS the
// identity; NATS_CREDS may hold creds content (Terraform Cloud has no files).
func TestAccProvider_environment(t *testing.T) {
	name := uniqueName(t)
	url := operator.Servers[0].URL
	t.Setenv("NATS_URL", url)
	t.Setenv("NATS_CREDS", string(accA.Creds))
	jsA := testnats.JetStream(t, url, accA.Creds, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, jsA, name),
		Steps: []resource.TestStep{{
			Config:           fmt.Sprintf(`resource "nats_kv_bucket" "test" { name = %q }`, name),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			Check:            checkStream(t, jsA, name, func(jetstream.StreamConfig) error { return nil }),
		}},
	})
}

// A wrong credential fails with a diagnostic naming the server and the kind
// of credential, never the secret, and creates nothing.
func TestAccProvider_connectionError(t *testing.T) {
	const secret = "not-the-right-token-4711"
	url := operator.Servers[0].URL
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock([]string{url}, fmt.Sprintf("  token = %q", secret)) +
				`resource "nats_kv_bucket" "test" { name = "never" }`,
			ExpectError: errorLike(`Cannot connect to NATS.*` + url + ` with token`),
		}},
	})
}

// TLS material works as PEM content and as file paths; the server demands a
// client certificate.
func TestAccProvider_tls(t *testing.T) {
	s, m := testnats.StartTLS(t)
	name := uniqueName(t)
	tlsBlock := fmt.Sprintf(`  tls {
    ca   = %s
    cert = %q
    key  = %s
  }`, hcl(m.CAPEM), m.ClientCertFile, hcl(m.ClientKeyPEM))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:      providerBlock([]string{s.URL}, "") + `resource "nats_kv_bucket" "test" { name = "no_tls" }`,
				ExpectError: errorLike(`Cannot connect to NATS`),
			},
			{
				Config:           providerBlock([]string{s.URL}, tlsBlock) + fmt.Sprintf(`resource "nats_kv_bucket" "test" { name = %q }`, name),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("stream_name"), knownvalue.StringExact("KV_"+name)),
				},
			},
			{
				// The endpoint takes the provider's tls:// server as KINE
				// dials it, k3s gets the TLS files, and the check's KINE
				// dials with the provider's TLS material in their place.
				Config: datastoreConfig(providerBlock([]string{s.URL}, tlsBlock), name+"_k3s", `  deletion_protection = false
  ca_file   = "/etc/nats/ca.pem"
  cert_file = "/etc/nats/kine.pem"
  key_file  = "/etc/nats/kine-key.pem"`),
				ConfigStateChecks: []statecheck.StateCheck{
					checkReportPassed(),
					datastoreIs("endpoint_redacted", knownvalue.StringRegexp(errorLike(`^nats://`+strings.TrimPrefix(s.URL, "tls://")+`\?`))),
					datastoreIs("k3s_config", knownvalue.StringRegexp(errorLike(
						`\ndatastore-cafile: "/etc/nats/ca.pem"\ndatastore-certfile: "/etc/nats/kine.pem"\ndatastore-keyfile: "/etc/nats/kine-key.pem"\n$`))),
					datastoreIs("kine_args", knownvalue.ListPartial(map[int]knownvalue.Check{2: knownvalue.StringExact("--ca-file=/etc/nats/ca.pem")})),
				},
			},
		},
	})
}

// The provider's jetstream_domain is the default for resources without one.
func TestAccProvider_defaultDomain(t *testing.T) {
	name := uniqueName(t)
	leafJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, leafJS, name),
		Steps: []resource.TestStep{{
			Config:           providerBlock([]string{hubLeaf.Hub.URL}, `  jetstream_domain = "leaf"`) + fmt.Sprintf(`resource "nats_kv_bucket" "test" { name = %q }`, name),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			Check:            checkStream(t, leafJS, name, func(jetstream.StreamConfig) error { return nil }),
		}},
	})
}

// A context names the servers and the TLS material; a resource's
// credentials override replaces only the credentials: the bucket is made on
// the context's TLS server, a datastore's endpoint names that server, and
// its check's KINE dials it with the context's TLS and the override's creds.
func TestAccProvider_contextWithCredentialsOverride(t *testing.T) {
	s, m := testnats.StartTLS(t)
	ctxFile := filepath.Join(t.TempDir(), "tls-context.json")
	body, _ := json.Marshal(map[string]string{"url": s.URL, "ca": m.CAFile, "cert": m.ClientCertFile, "key": m.ClientKeyFile})
	if err := os.WriteFile(ctxFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	name := uniqueName(t)
	creds := hcl(string(accA.Creds)) // any valid creds: the TLS server has no auth
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`provider "nats" {
  context = %q
}
resource "nats_kv_bucket" "test" {
  name        = %q
  credentials = %s
  conformance = { mode = "off" }
}
resource "nats_k3s_datastore" "test" {
  bucket              = "%s_k3s"
  credentials         = %s
  deletion_protection = false
}
`, ctxFile, name, creds, name, creds),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("stream_name"), knownvalue.StringExact("KV_"+name)),
				checkReportPassed(),
				datastoreIs("endpoint_redacted", knownvalue.StringRegexp(regexp.MustCompile(`^nats://`+regexp.QuoteMeta(strings.TrimPrefix(s.URL, "tls://"))+`\?`))),
			},
		}},
	})
}
