package edge

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// hubDomain is the JetStream domain of every hub here.
const hubDomain = "hub"

// A hub is an operator-mode NATS system with a leaf node listener, and an
// account whose admin is the provider's identity in the checks.
type hub struct {
	op      *testnats.Operator
	acc     *testnats.Account
	leafURL string
	tls     *testnats.TLSMaterial
}

// The hubs every test shares, started once: plain leaf connections, and
// leaf connections over TLS with client certificates.
var plain, secure *hub

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	var err error
	if plain, err = startHub(nil); err != nil {
		return 0, err
	}
	defer plain.op.Shutdown()
	m2, err := testnats.NewTLS()
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(m2.Dir)
	if secure, err = startHub(m2); err != nil {
		return 0, err
	}
	defer secure.op.Shutdown()
	return m.Run(), nil
}

func startHub(m *testnats.TLSMaterial) (*hub, error) {
	op, err := testnats.StartOperator(testnats.OperatorOptions{Domain: hubDomain, Extra: testnats.LeafListener(m)})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := &hub{op: op, tls: m}
	if h.acc, err = op.CreateAccount(ctx, "HUB"); err != nil {
		op.Shutdown()
		return nil, err
	}
	if h.leafURL, err = op.Servers[0].LeafURL(); err != nil {
		op.Shutdown()
		return nil, err
	}
	return h, nil
}

// conn connects to the hub as the account's admin: the provider's
// identity in the checks.
func (h *hub) conn(t *testing.T) *nats.Conn {
	t.Helper()
	opt, err := testnats.CredsOption(h.acc.Creds)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(h.op.Servers[0].URL, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// leafUser issues a leaf user of the hub account for domain; edit changes
// it before it is signed.
func (h *hub) leafUser(t *testing.T, domain string, edit func(*accounts.User)) []byte {
	t.Helper()
	u := accounts.User{Name: "leaf-" + domain, Account: h.acc.PublicKey, LeafnodeDomain: domain}
	if edit != nil {
		edit(&u)
	}
	issued, err := accounts.IssueUser(u, h.acc.SigningSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	return issued.Creds
}

// site is a site named name on h with the check's defaults.
func (h *hub) site(name string) Site {
	s := Site{Name: name, HubURLs: []string{h.leafURL}}
	if h.tls != nil {
		s.TLS = TLSFiles{CA: "/etc/rancher/k3s/nats/ca.pem", Cert: "/etc/rancher/k3s/nats/leaf.pem", Key: "/etc/rancher/k3s/nats/leaf-key.pem"}
	}
	return s
}

// tlsContent stands in for the site's TLS files.
func (h *hub) tlsContent() TLSContent {
	if h.tls == nil {
		return TLSContent{}
	}
	return TLSContent{CA: h.tls.CAPEM, Cert: h.tls.ClientCertPEM, Key: h.tls.ClientKeyPEM}
}

// accountState is what the hub account holds: stream names and their
// consumer counts.
func (h *hub) accountState(t *testing.T) map[string]int {
	return testnats.Streams(t, h.op.Servers[0].URL, h.acc.Creds)
}

// privateTemp points the process' temporary directory at a fresh one for
// the test, so the test can look for files the check left.
func privateTemp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

// nothingLeft fails when anything is left in dir.
func nothingLeft(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in the temporary directory: %s", e.Name())
	}
}

// standardOnly makes a user with the leaf permissions that may connect
// only as a client, not as a leaf node.
func standardOnly(domain string) func(*accounts.User) {
	return func(u *accounts.User) {
		u.LeafnodeDomain = ""
		u.Pub.Allow, u.Sub.Allow = accounts.LeafnodePermissions(domain, "")
		u.ConnectionTypes = []string{jwt.ConnectionTypeStandard}
	}
}
