package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/edge"
)

// Each failure names the attribute to fix and, when the check found it,
// the failing step; nothing lands in state, and the hub account keeps
// nothing of the check.
func TestAccK3sEdge_failures(t *testing.T) {
	domainOf := func(name string) string { return edge.DefaultDomain(name) }
	cases := []struct {
		name, userBody, edgeBody string
		urls                     []string
		want                     string
	}{
		{
			name: "wrong-url",
			// The hub's client port, not its leaf node port.
			urls:     []string{"nats-leaf://" + strings.TrimPrefix(opCluster.Servers[0].URL, "nats://")},
			edgeBody: `  conformance = { timeout = "15s" }`,
			want:     `with nats_k3s_edge.site.*hub_urls.*failed at step "leaf connection".*wrong port.*hub_urls do not point at the hub's leaf node listener`,
		},
		{
			name: "no-leafnode",
			// A hand-made user with the link's permissions that may not
			// connect as a leaf node. Its credentials are known once the
			// user exists, and the edge's plan refuses them then with the
			// check's own "leaf user" verdict.
			userBody: func() string {
				pub, sub := accounts.LeafnodePermissions(domainOf("no-leafnode"), "")
				return fmt.Sprintf("  allowed_connection_types = [\"STANDARD\"]\n  publish = { allow = %s }\n  subscribe = { allow = %s }", hclList(pub), hclList(sub))
			}(),
			want: `check step "leaf user".*with nats_k3s_edge.site.*credentials.*not as a leaf node \(LEAFNODE\)`,
		},
		{
			name:     "hub-domain",
			edgeBody: `  jetstream_domain = "hub"`,
			want:     `Edge domain is the hub's.*with nats_k3s_edge.site.*jetstream_domain`,
		},
		{
			name:     "small-payload",
			edgeBody: `  max_payload = 1048576`,
			want:     `max_payload.*value must be between 2101248 and 67108864`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newEdgeHub(t, opCluster, nil)
			if tc.urls != nil {
				h.urls = tc.urls
			}
			before := hubStreams(t, h)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				CheckDestroy:             func(*terraform.State) error { return sameStreams(t, h, before) },
				Steps: []resource.TestStep{{
					Config:      h.config(tc.name, tc.userBody, tc.edgeBody),
					ExpectError: errorLike(tc.want),
				}},
			})
		})
	}
}

// An unreachable hub fails the check within its timeout, on hub_urls.
func TestAccK3sEdge_unreachableHub(t *testing.T) {
	h := newEdgeHub(t, opCluster, nil)
	h.urls = []string{"nats-leaf://192.0.2.1:7422"} // TEST-NET-1: never answers
	var began time.Time                             // once the parallel test runs, not while it waits
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			PreConfig:   func() { began = time.Now() },
			Config:      h.config("unreachable", "", `  conformance = { timeout = "10s" }`),
			ExpectError: errorLike(`with nats_k3s_edge.site.*hub_urls.*failed at step "leaf connection".*did not connect to the hub`),
		}},
	})
	if took := time.Since(began); took > 2*time.Minute {
		t.Errorf("a 10s check against an unreachable hub took %s", took)
	}
}
