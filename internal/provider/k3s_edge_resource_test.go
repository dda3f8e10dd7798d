package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/edge"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// hubDomain is the JetStream domain of the package's operator systems.
const hubDomain = "hub"

const edgeAddr = "nats_k3s_edge.site"

// edgeHub is one test's part of a hub: an account of its own (so tests do
// not see each other's domains), the hub's leaf node URLs and, for leaf
// connections over TLS, the CA and a client certificate.
type edgeHub struct {
	op   *testnats.Operator
	acc  *testnats.Account
	urls []string
	tls  *testnats.TLSMaterial
}

func newEdgeHub(t *testing.T, op *testnats.Operator, tls *testnats.TLSMaterial) *edgeHub {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acc, err := op.CreateAccount(ctx, uniqueName(t))
	if err != nil {
		t.Fatal(err)
	}
	urls, err := op.LeafURLs()
	if err != nil {
		t.Fatal(err)
	}
	return &edgeHub{op: op, acc: acc, urls: urls, tls: tls}
}

// config is the provider, as the hub account's admin, a leaf user with the
// leafnode preset for the site's default domain, and the site.
func (h *edgeHub) config(name, userBody, edgeBody string) string {
	var tls string
	if h.tls != nil {
		tls = fmt.Sprintf(`
  tls = {
    ca_file   = "/etc/rancher/k3s/nats/ca.pem"
    cert_file = "/etc/rancher/k3s/nats/leaf.pem"
    key_file  = "/etc/rancher/k3s/nats/leaf-key.pem"
    ca        = %s
    cert      = %s
    key       = %s
  }`, hcl(h.tls.CAPEM), hcl(h.tls.ClientCertPEM), hcl(h.tls.ClientKeyPEM))
	}
	if userBody == "" {
		userBody = fmt.Sprintf("  leafnode = { jetstream_domain = %q }", edge.DefaultDomain(name))
	}
	return providerBlock(h.op.URLs(), "  credentials_data = "+hcl(string(h.acc.Creds))) + fmt.Sprintf(`
resource "nats_user" "leaf" {
  name                 = "leaf-%s"
  account              = %q
  account_signing_seed = %q
%s
}

resource "nats_k3s_edge" "site" {
  name        = %q
  hub_urls    = %s
  credentials = nats_user.leaf.creds
%s
%s
}
`, name, h.acc.PublicKey, string(h.acc.SigningSeed), userBody, name, hclList(h.urls), tls, edgeBody)
}

func hclList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = hcl(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func edgeIs(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(edgeAddr, tfjsonpath.New(attr), v)
}

func edgePlans(attr string, v knownvalue.Check) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(edgeAddr, tfjsonpath.New(attr), v)
}

// edgeStepsPassed checks the report: passed, with the edge's own steps.
func edgeStepsPassed() statecheck.StateCheck {
	return edgeIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"passed":  knownvalue.Bool(true),
		"profile": knownvalue.StringExact("quick"),
		"summary": knownvalue.StringRegexp(regexp.MustCompile(`passed`)),
		"steps": knownvalue.ListPartial(map[int]knownvalue.Check{
			0: knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(edge.StepLeafUser), "ok": knownvalue.Bool(true)}),
			4: knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(edge.StepLeafConnection), "ok": knownvalue.Bool(true)}),
			5: knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(edge.StepLeafAccount), "ok": knownvalue.Bool(true),
				"detail": knownvalue.StringRegexp(regexp.MustCompile(`binds to the account`))}),
		}),
	}))
}

// A site on the 3-node hub: created and checked, outputs known at plan
// time, updated in place, import refused, destroyed; the hub account keeps
// nothing of the checks.
func TestAccK3sEdge_cluster(t *testing.T) {
	h := newEdgeHub(t, opCluster, nil)
	name := fmt.Sprintf("store-%d", time.Now().UnixNano()%1e6)
	domain := edge.DefaultDomain(name)
	before := hubStreams(t, h)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             func(*terraform.State) error { return sameStreams(t, h, before) },
		Steps: []resource.TestStep{
			{
				Config: h.config(name, "", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Everything the edge host gets is known before apply,
					// the leaf user's credentials not being needed for it.
					edgePlans("server_config", knownvalue.StringRegexp(regexp.MustCompile(`domain: "`+domain+`"`))),
					edgePlans("endpoint", knownvalue.StringExact("nats://?bucket=kine&revHistory=10&serverConfig=%2Fetc%2Francher%2Fk3s%2Fnats%2Fserver.conf&dontListen=true")),
					edgePlans("files", knownvalue.ListSizeExact(3)),
					edgePlans("jetstream_domain", knownvalue.StringExact(domain)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					edgeStepsPassed(),
					edgeIs("id", knownvalue.StringExact(name)),
					edgeIs("k3s_config", knownvalue.StringExact(`datastore-endpoint: "nats://?bucket=kine&revHistory=10&serverConfig=%2Fetc%2Francher%2Fk3s%2Fnats%2Fserver.conf&dontListen=true"`+"\n")),
					edgeIs("files", knownvalue.ListExact([]knownvalue.Check{
						fileIs(edge.DefaultCredentialsFile, edge.KindCredentials, "0600"),
						fileIs(edge.DefaultServerConfigFile, edge.KindServerConfig, "0644"),
						fileIs(edge.DefaultK3sConfigFile, edge.KindK3sConfig, "0644"),
					})),
				},
				Check: resource.ComposeTestCheckFunc(credentialsNotInConfig, startFromOutputs(t, h)),
			},
			{
				// Nothing changed: an empty plan, and no check again.
				Config:           h.config(name, "", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// What the edge host must pick up changes server_config and
				// endpoint in the plan, in place, with known values.
				Config: h.config(name, "", `  listen             = "127.0.0.1:14222"
  max_payload        = 16777216
  server_config_file = "/srv/nats/edge.conf"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(edgeAddr, plancheck.ResourceActionUpdate),
					edgePlans("server_config", knownvalue.StringRegexp(regexp.MustCompile(`(?s)max_payload: 16777216\nlisten: "127.0.0.1:14222"`))),
					edgePlans("endpoint", knownvalue.StringExact("nats://127.0.0.1:14222?bucket=kine&revHistory=10&serverConfig=%2Fsrv%2Fnats%2Fedge.conf")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{edgeStepsPassed()},
			},
			{
				ResourceName:  edgeAddr,
				ImportState:   true,
				ImportStateId: name,
				ExpectError:   regexp.MustCompile(`(?i)import`),
			},
		},
	})
}

// A site whose leaf connection runs over TLS with a client certificate,
// on the single-node hub.
func TestAccK3sEdge_tls(t *testing.T) {
	h := newEdgeHub(t, operator, leafTLS)
	name := "tls-" + fmt.Sprint(time.Now().UnixNano()%1e6)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: h.config(name, "", `  bucket      = "k3s"
  rev_history = 20`),
			ConfigStateChecks: []statecheck.StateCheck{
				edgeStepsPassed(),
				edgeIs("server_config", knownvalue.StringRegexp(regexp.MustCompile(`(?s)tls \{\n\s+ca_file: "/etc/rancher/k3s/nats/ca.pem"\n\s+cert_file: "/etc/rancher/k3s/nats/leaf.pem"`))),
				edgeIs("files", knownvalue.ListSizeExact(6)),
				edgeIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"steps": knownvalue.ListPartial(map[int]knownvalue.Check{
						6: knownvalue.ObjectPartial(map[string]knownvalue.Check{"detail": knownvalue.StringRegexp(regexp.MustCompile(`bucket k3s, replicas 1, revHistory 20`))}),
					}),
				})),
			},
			Check: startFromOutputs(t, h),
		}},
	})
}

func fileIs(path, kind, mode string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"path": knownvalue.StringExact(path), "kind": knownvalue.StringExact(kind), "mode": knownvalue.StringExact(mode),
	})
}

// credentialsNotInConfig: server_config names the credentials file, never
// its content.
func credentialsNotInConfig(s *terraform.State) error {
	rs := s.RootModule().Resources[edgeAddr].Primary.Attributes
	for _, line := range strings.Split(rs["credentials"], "\n") {
		if len(line) > 20 && !strings.HasPrefix(line, "-") && strings.Contains(rs["server_config"], line) {
			return fmt.Errorf("server_config holds a line of the credentials")
		}
	}
	if !strings.Contains(rs["server_config"], `credentials: "`+edge.DefaultCredentialsFile+`"`) {
		return fmt.Errorf("server_config does not name the credentials file:\n%s", rs["server_config"])
	}
	return nil
}

// hubStreams lists the streams of the test's hub account.
func hubStreams(t *testing.T, h *edgeHub) map[string]int {
	return testnats.Streams(t, h.op.Servers[0].URL, h.acc.Creds)
}

// sameStreams fails when the hub account's streams or their consumers
// changed: the checks create nothing there.
func sameStreams(t *testing.T, h *edgeHub, before map[string]int) error {
	after := hubStreams(t, h)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		return fmt.Errorf("the hub account held %v before the test and %v after", before, after)
	}
	return nil
}

// hubJetStream is the test hub account's JetStream, as its admin.
func (h *edgeHub) jetStream(t *testing.T) jetstream.JetStream {
	return testnats.JetStream(t, h.op.Servers[0].URL, h.acc.Creds, "")
}
