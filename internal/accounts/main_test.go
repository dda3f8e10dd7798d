package accounts

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// Servers shared by every test of the package, started once in TestMain.
var (
	// cluster is a 3-node operator-mode cluster made by testnats.
	cluster *testnats.Operator
	// noDelete is one operator-mode server whose resolver forbids deletes.
	noDelete *testnats.Operator
	// own is a server started from this package's Bootstrap and
	// ServerConfig, in strict signing-key mode.
	own       *testnats.Server
	ownBoot   *Bootstrapped
	ownJWTDir string
	// memory is an operator-mode server with the memory resolver.
	memory     *testnats.Server
	memoryBoot *Bootstrapped
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	// The topologies are independent: start them side by side.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	wg.Go(func() { cluster, errs[0] = testnats.StartOperator(testnats.OperatorOptions{Servers: 3}) })
	wg.Go(func() { noDelete, errs[1] = testnats.StartOperator(testnats.OperatorOptions{NoDelete: true}) })
	wg.Go(func() { errs[2] = startOwn() })
	wg.Go(func() { errs[3] = startMemory() })
	wg.Wait()
	defer func() {
		if cluster != nil {
			cluster.Shutdown()
		}
		if noDelete != nil {
			noDelete.Shutdown()
		}
		if own != nil {
			own.Shutdown()
		}
		if memory != nil {
			memory.Shutdown()
		}
		os.RemoveAll(ownJWTDir)
	}()
	for _, err := range errs {
		if err != nil {
			return 1, err
		}
	}
	return m.Run(), nil
}

func startOwn() error {
	var err error
	ownBoot, err = Bootstrap(BootstrapOptions{OperatorName: "own", StrictSigningKeys: true})
	if err != nil {
		return err
	}
	if ownJWTDir, err = os.MkdirTemp("", "accounts-jwt-"); err != nil {
		return err
	}
	frag, err := ownBoot.ServerConfig(ownJWTDir)
	if err != nil {
		return err
	}
	own, err = testnats.Start(testnats.Config{Extra: frag})
	if err != nil {
		return fmt.Errorf("start a server from ServerConfig: %w", err)
	}
	return nil
}

func startMemory() error {
	var err error
	memoryBoot, err = Bootstrap(BootstrapOptions{OperatorName: "mem"})
	if err != nil {
		return err
	}
	sys := memoryBoot.SystemAccount.PublicKey
	memory, err = testnats.Start(testnats.Config{NoJetStream: true, Extra: fmt.Sprintf(
		"operator: %q\nsystem_account: %q\nresolver: MEMORY\nresolver_preload { %s: %q }\n",
		memoryBoot.OperatorJWT, sys, sys, memoryBoot.SystemAccountJWT)})
	return err
}

// testCtx is a context for one test, cancelled at its end.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// connect dials urls with decorated creds and closes the connection when
// the test ends.
func connect(t *testing.T, creds []byte, urls ...string) *nats.Conn {
	t.Helper()
	opt, err := testnats.CredsOption(creds)
	if err != nil {
		t.Fatal(err)
	}
	// The no-op error handler keeps expected asynchronous errors (permission
	// violations, a deleted account) out of the test output.
	nc, err := nats.Connect(strings.Join(urls, ","), opt, nats.MaxReconnects(0),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// newJS returns JetStream for nc once the account's JetStream is up: in a
// cluster the meta leader enables it for a freshly pushed account a moment
// after the push is acknowledged.
func newJS(t *testing.T, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	for {
		_, err := js.AccountInfo(ctx)
		if err == nil {
			return js
		}
		if ctx.Err() != nil {
			t.Fatalf("JetStream never came up for the account: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// env is an operator-mode system under test: its operator, a signer with
// the operator signing key and a resolver on a system user connection.
type env struct {
	op       *Operator
	signer   *Signer
	resolver *Resolver
	urls     []string
}

func newEnv(t *testing.T, operatorJWT string, signingSeed, sysCreds []byte, urls ...string) *env {
	t.Helper()
	signer, err := NewSigner(operatorJWT, signingSeed)
	if err != nil {
		t.Fatal(err)
	}
	nc := connect(t, sysCreds, urls[0])
	r, err := NewResolver(nc, signer.Operator(), ResolverOptions{Quiet: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &env{op: signer.Operator(), signer: signer, resolver: r, urls: urls}
}

func clusterEnv(t *testing.T) *env {
	return newEnv(t, cluster.JWT, cluster.SigningSeed, cluster.SystemCreds, cluster.URLs()...)
}

// testAccount is an account made through this package and pushed.
type testAccount struct {
	Account
	JWT         string
	SigningSeed []byte
}

// createAccount makes keys for an account with unlimited JetStream (edit
// changes the spec first), encodes it and pushes it to every server.
func (e *env) createAccount(t *testing.T, name string, edit func(*Account)) testAccount {
	t.Helper()
	id, err := NewKey(KeyAccount)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := NewKey(KeyAccount)
	if err != nil {
		t.Fatal(err)
	}
	a := Account{Name: name, PublicKey: id.PublicKey, SigningKeys: []string{sk.PublicKey}, JetStream: &JetStreamLimits{}}
	if edit != nil {
		edit(&a)
	}
	tok, _, err := e.signer.EncodeAccount(a, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.resolver.Push(testCtx(t), tok); err != nil {
		t.Fatalf("push %s: %v", name, err)
	}
	return testAccount{Account: a, JWT: tok, SigningSeed: sk.Seed}
}

// user issues creds for a user of the account.
func (a testAccount) user(t *testing.T, u User) []byte {
	t.Helper()
	u.Account = a.PublicKey
	issued, err := IssueUser(u, a.SigningSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	return issued.Creds
}
