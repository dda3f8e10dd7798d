package edge

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nkeys"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
)

// shortOpts bound checks that are meant to fail waiting.
var shortOpts = conformance.Options{Profile: conformance.ProfileQuick, Timeout: 10 * time.Second}

func TestWrongHubURL(t *testing.T) {
	site := plain.site("wrong-url")
	// The hub's client port, not its leaf node port.
	site.HubURLs = []string{"nats-leaf://" + strings.TrimPrefix(plain.op.Servers[0].URL, "nats://")}
	rep := runCheck(t, plain, site, plain.leafUser(t, site.WithDefaults().Domain, nil), false, shortOpts)
	wantFailed(t, rep, StepLeafConnection, "attempted to connect to wrong port", "hub_urls do not point at the hub's leaf node listener")
}

func TestUnreachableHubFailsWithinTheTimeout(t *testing.T) {
	site := plain.site("unreachable")
	site.HubURLs = []string{"nats-leaf://192.0.2.1:7422"} // TEST-NET-1: never answers
	began := time.Now()
	rep := runCheck(t, plain, site, plain.leafUser(t, site.WithDefaults().Domain, nil), false, shortOpts)
	wantFailed(t, rep, StepLeafConnection, "did not connect to the hub", "hub_urls")
	// The timeout plus the final step's own bound.
	if took := time.Since(began); took > shortOpts.Timeout+stopBudget+5*time.Second {
		t.Errorf("the check took %s with a timeout of %s", took, shortOpts.Timeout)
	}
}

func TestLeafUserWithoutLeafnodeConnectionType(t *testing.T) {
	site := plain.site("no-leafnode")
	domain := site.WithDefaults().Domain
	rep := runCheck(t, plain, site, plain.leafUser(t, domain, standardOnly(domain)), false, checkOpts)
	wantFailed(t, rep, StepLeafUser, "STANDARD", "LEAFNODE", "leafnode = {")
}

// A user the hub does not know (its account was never pushed): only the hub
// can tell, and the check says what it answered.
func TestHubRefusesTheLeafUser(t *testing.T) {
	kp, err := nkeys.CreateAccount()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	site := plain.site("stranger")
	issued, err := accounts.IssueUser(accounts.User{Name: "stranger", Account: pub, LeafnodeDomain: site.WithDefaults().Domain}, seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := runCheck(t, plain, site, issued.Creds, false, shortOpts)
	wantFailed(t, rep, StepLeafConnection, "refused the leaf user", "credentials")
}

func TestDomainOfTheHub(t *testing.T) {
	site := plain.site("same-domain")
	site.Domain = hubDomain
	rep := runCheck(t, plain, site, plain.leafUser(t, hubDomain, nil), false, checkOpts)
	wantFailed(t, rep, StepEdgeDomain, "is the hub's own", "jetstream_domain")
}

func TestMaxPayloadBelowKubernetes(t *testing.T) {
	site := plain.site("small-payload")
	site.MaxPayload = 1 << 20
	rep := runCheck(t, plain, site, plain.leafUser(t, site.WithDefaults().Domain, nil), false, checkOpts)
	wantFailed(t, rep, StepEdgeConfig, "MaxPayload", fmt.Sprint(conformance.RequiredMaxPayload))
}

func TestLeafUserPayloadLimitBelowMaxPayload(t *testing.T) {
	site := plain.site("user-limit")
	creds := plain.leafUser(t, site.WithDefaults().Domain, func(u *accounts.User) { u.MaxPayload = 4 << 20 })
	rep := runCheck(t, plain, site, creds, false, checkOpts)
	wantFailed(t, rep, StepLeafUser, "payload limit of 4194304 bytes", "max_payload")
}

func TestTLSPathWithoutContent(t *testing.T) {
	site := secure.site("no-pem")
	tmp := privateTemp(t)
	rep := Check(context.Background(), Target{Site: site, Creds: secure.leafUser(t, site.WithDefaults().Domain, nil), Hub: secure.conn(t)}, checkOpts)
	wantFailed(t, rep, StepEdgeConfig, "tls ca_file is a path on the edge host")
	nothingLeft(t, tmp)
}

// A site that is running: an update's check must neither answer for its
// domain nor take its leaf connection away.
func TestLiveSite(t *testing.T) {
	site := plain.site("live")
	creds := plain.leafUser(t, site.WithDefaults().Domain, nil)
	ctx := context.Background()
	running, err := StartLocal(ctx, site, creds, TLSContent{}, "live")
	if err != nil {
		t.Fatal(err)
	}
	defer running.Stop(ctx)
	leafID := waitLeaf(t, running)

	rep := runCheck(t, plain, site, creds, true, checkOpts)
	if !rep.Passed {
		t.Fatalf("check of the live site failed: %s", rep.Summary())
	}
	for _, name := range []string{StepLeafAccount, StepHubView, StepLeafPayload, StepLinkDown, StepLinkBack} {
		if s := rep.Step(name); s == nil || !s.Skipped {
			t.Errorf("step %q ran against a live site: %+v", name, s)
		}
	}
	if d := rep.Step(StepEdgeDomain).Detail; !strings.Contains(d, "is live on the hub") {
		t.Errorf("edge domain: %s", d)
	}
	if id := waitLeaf(t, running); id != leafID {
		t.Errorf("the running site's leaf connection was replaced (id %d, now %d)", leafID, id)
	}

	// A new site may not take a domain that is in use.
	rep = runCheck(t, plain, site, creds, false, checkOpts)
	wantFailed(t, rep, StepEdgeDomain, "already answers for domain edge-live")
}

// waitLeaf waits for x's leaf connection and returns its ID.
func waitLeaf(t *testing.T, x *Local) uint64 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if lz, err := x.Server().Leafz(nil); err == nil && len(lz.Leafs) == 1 {
			return lz.Leafs[0].ID
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the edge's leaf connection did not come up")
	return 0
}
