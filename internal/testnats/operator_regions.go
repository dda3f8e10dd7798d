package testnats

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// JetStream domains of StartOperatorRegions.
const (
	RegionADomain = "region-a"
	RegionBDomain = "region-b"
)

// OperatorRegions is one operator-mode NATS system spread over two regions:
// server A (JetStream domain RegionADomain) with a leaf node listener, and
// server B (RegionBDomain), a leaf node of A. Both run a full resolver; B's
// system account is linked to A's, so an account pushed to either region
// reaches both, and every server answers a push (Operator.Push waits for
// both). Servers keep their ports and stores across StopA and RestartA.
//
// Accounts other than the system account cross between the regions only
// over a leaf connection of their own, as in any operator-mode system: a
// leaf remote names one local account and authenticates as a user of it.
// LinkAccount adds one to B's configuration, as an operator adds a remote
// to the standby region's servers for every account that mirrors across.
type OperatorRegions struct {
	*Operator
	A, B *Server

	mu       sync.Mutex
	leafPort int
	bCfg     Config
	bDir     string
	links    []string // linked account public keys, in order
}

// StartOperatorRegions makes an operator and starts both regions, and
// waits until B's system account is linked to A.
func StartOperatorRegions() (*OperatorRegions, error) {
	op, err := newOperator(false)
	if err != nil {
		return nil, err
	}
	return StartOperatorRegionsFor(op)
}

// StartOperatorRegionsFor starts both regions trusting an operator made
// elsewhere (by nats_operator, say): op needs JWT, SigningSeed,
// SystemAccount, SystemAccountJWT and SystemCreds; its Cluster is set to
// the two servers.
func StartOperatorRegionsFor(op *Operator) (*OperatorRegions, error) {
	if op.JWT == "" || op.SystemAccount == "" || op.SystemAccountJWT == "" || len(op.SystemCreds) == 0 {
		return nil, errors.New("start regions: the operator needs its JWT, system account, system account JWT and system user creds")
	}
	var r *OperatorRegions
	var err error
	// Reserved ports may be taken by another package's servers before
	// ours bind them: start again on fresh ones.
	for range 3 {
		if r, err = startOperatorRegionsOnce(op); err == nil {
			return r, nil
		}
	}
	return nil, err
}

func startOperatorRegionsOnce(op *Operator) (*OperatorRegions, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	r := &OperatorRegions{Operator: op, leafPort: ports[1]}
	aDir, err := os.MkdirTemp("", "testnats-")
	if err != nil {
		return nil, fmt.Errorf("make store dir: %w", err)
	}
	aBody := op.serverBody(aDir, OperatorOptions{}) +
		fmt.Sprintf("leafnodes {\n  listen: \"127.0.0.1:%d\"\n}\n", r.leafPort)
	if r.A, err = startIn(aDir, Config{Name: fmt.Sprintf("region-a-%d", ports[0]), Port: ports[0], Domain: RegionADomain}, aBody); err != nil {
		return nil, fmt.Errorf("start region A: %w", err)
	}
	if r.bDir, err = os.MkdirTemp("", "testnats-"); err != nil {
		r.A.Shutdown()
		return nil, fmt.Errorf("make store dir: %w", err)
	}
	if err := os.WriteFile(r.credsFile(op.SystemAccount), op.SystemCreds, 0o600); err != nil {
		r.A.Shutdown()
		os.RemoveAll(r.bDir)
		return nil, fmt.Errorf("write system creds for the leaf link: %w", err)
	}
	r.bCfg = Config{Name: fmt.Sprintf("region-b-%d", ports[2]), Port: ports[2], Domain: RegionBDomain}
	if r.B, err = startIn(r.bDir, r.bCfg, r.bBody()); err != nil {
		r.A.Shutdown()
		os.RemoveAll(r.bDir)
		return nil, fmt.Errorf("start region B: %w", err)
	}
	op.Cluster = &Cluster{Servers: []*Server{r.A, r.B}}
	ctx, cancel := context.WithTimeout(context.Background(), linkWait)
	defer cancel()
	if err := r.waitLinks(ctx); err != nil {
		r.Shutdown()
		return nil, err
	}
	return r, nil
}

// credsFile is where B keeps the credentials of the leaf remote of account.
func (r *OperatorRegions) credsFile(account string) string {
	return filepath.Join(r.bDir, "link-"+account+".creds")
}

// bBody is B's operator-mode configuration with a leaf remote to A for the
// system account and for every linked account.
func (r *OperatorRegions) bBody() string {
	var b strings.Builder
	b.WriteString(r.serverBody(r.bDir, OperatorOptions{}))
	// A returning region A is found again within a second.
	b.WriteString("leafnodes {\n  reconnect: 1\n  remotes: [\n")
	for _, acc := range append([]string{r.SystemAccount}, r.links...) {
		fmt.Fprintf(&b, "    { urls: [\"nats-leaf://127.0.0.1:%d\"], account: %q, credentials: %q }\n", r.leafPort, acc, r.credsFile(acc))
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}

// LinkAccount carries account between the regions: B gets a leaf remote
// to A bound to the account, authenticating with creds (a user of the
// account that may connect as a leaf node), and its configuration is
// reloaded. It waits until both regions see the link. The account must
// have been pushed already.
func (r *OperatorRegions) LinkAccount(ctx context.Context, account string, creds []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.links {
		if l == account {
			return nil
		}
	}
	if err := os.WriteFile(r.credsFile(account), creds, 0o600); err != nil {
		return fmt.Errorf("link account %s: write creds: %w", account, err)
	}
	r.links = append(r.links, account)
	if _, err := writeConfig(r.bDir, r.bCfg, r.bBody()); err != nil {
		return fmt.Errorf("link account %s: %w", account, err)
	}
	if err := r.B.Reload(); err != nil {
		return fmt.Errorf("link account %s: reload region B: %w", account, err)
	}
	return r.waitLinks(ctx)
}

// Linked lists the accounts LinkAccount linked.
func (r *OperatorRegions) Linked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.links...)
}

// waitLinks waits until both regions see a leaf connection for the system
// account and every linked account.
func (r *OperatorRegions) waitLinks(ctx context.Context) error {
	want := append([]string{r.SystemAccount}, r.links...)
	for {
		missing := ""
		for _, s := range []*Server{r.A, r.B} {
			for _, acc := range want {
				if !hasLeaf(s, acc) {
					missing = fmt.Sprintf("%s has no leaf connection for account %s", s.Name(), acc)
				}
			}
		}
		if missing == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("regions not linked: %s: %w", missing, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func hasLeaf(s *Server, account string) bool {
	if !s.Running() {
		return false
	}
	lz, err := s.Leafz(&server.LeafzOptions{Account: account})
	return err == nil && len(lz.Leafs) > 0
}

// StopA loses region A: its server shuts down, keeping its store. B goes
// on serving its own domain, with every account its resolver holds.
func (r *OperatorRegions) StopA() { r.A.Stop() }

// RestartA brings region A back on the same ports and store, and waits
// until B has linked to it again, every linked account included.
func (r *OperatorRegions) RestartA(ctx context.Context) error {
	if err := r.A.Restart(); err != nil {
		return fmt.Errorf("restart region A: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.waitLinks(ctx)
}

// Shutdown stops both regions and removes their stores.
func (r *OperatorRegions) Shutdown() {
	r.B.Shutdown()
	r.A.Shutdown()
}
