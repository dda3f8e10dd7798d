package testnats

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
)

// Operator is an operator-mode NATS system: one server or a cluster, trusting
// a freshly made operator, with a full directory resolver that allows deletes
// and a preloaded system account.
type Operator struct {
	*Cluster
	// JWT is the operator JWT the servers trust.
	JWT string
	// Seed is the operator identity seed; SigningSeed its signing key seed.
	Seed, SigningSeed []byte
	// SystemAccount is the system account's public key.
	SystemAccount string
	// SystemCreds are decorated credentials of a user of the system account.
	SystemCreds []byte
	// SystemAccountJWT is the system account's JWT, preloaded into every
	// server's resolver.
	SystemAccountJWT string
}

// Account is an account the harness made and pushed to the resolver.
type Account struct {
	PublicKey string
	JWT       string
	// SigningSeed is the seed of the account's signing key, for minting users.
	SigningSeed []byte
	// Creds are decorated credentials of a user allowed everything.
	Creds []byte
}

// OperatorOptions tune StartOperator.
type OperatorOptions struct {
	// Servers is how many clustered servers to run; 1 when zero.
	Servers int
	// Strict turns on strict signing-key usage in the operator JWT.
	Strict bool
	// NoDelete leaves allow_delete off in the resolver configuration.
	NoDelete bool
	// MemoryResolver runs the memory resolver, which cannot look up, list or
	// delete accounts, instead of the full one.
	MemoryResolver bool
	// Extra is added to every server's configuration.
	Extra string
	// Domain is the servers' JetStream domain, if any.
	Domain string
}

// StartOperator makes an operator, signing key, system account and system
// user, and starts servers that trust them.
func StartOperator(o OperatorOptions) (*Operator, error) {
	if o.Servers == 0 {
		o.Servers = 1
	}
	op, err := newOperator(o.Strict)
	if err != nil {
		return nil, err
	}
	body := func(dir string) string { return op.serverBody(dir, o) }
	if op.Cluster, err = startCluster(o.Servers, o.Domain, body); err != nil {
		return nil, err
	}
	return op, nil
}

// newOperator makes the operator, its signing key, the system account and
// a system user; no server runs yet.
func newOperator(strict bool) (*Operator, error) {
	opKP, err := nkeys.CreateOperator()
	if err != nil {
		return nil, fmt.Errorf("create operator key: %w", err)
	}
	opSignKP, err := nkeys.CreateOperator()
	if err != nil {
		return nil, fmt.Errorf("create operator signing key: %w", err)
	}
	op := &Operator{}
	op.Seed, _ = opKP.Seed()
	op.SigningSeed, _ = opSignKP.Seed()
	opPub, _ := opKP.PublicKey()
	opSignPub, _ := opSignKP.PublicKey()

	sys, err := newAccount("SYS", opSignKP, false)
	if err != nil {
		return nil, err
	}
	op.SystemAccount, op.SystemCreds, op.SystemAccountJWT = sys.PublicKey, sys.Creds, sys.JWT

	oc := jwt.NewOperatorClaims(opPub)
	oc.Name = "test-operator"
	oc.SigningKeys.Add(opSignPub)
	oc.SystemAccount = sys.PublicKey
	oc.StrictSigningKeyUsage = strict
	if op.JWT, err = oc.Encode(opKP); err != nil {
		return nil, fmt.Errorf("encode operator: %w", err)
	}
	return op, nil
}

// serverBody is the operator-mode part of the configuration of a server
// whose store is in dir: trusted operator, system account and resolver.
func (op *Operator) serverBody(dir string, o OperatorOptions) string {
	resolver := fmt.Sprintf("resolver {\n  type: full\n  dir: %q\n  allow_delete: %t\n  interval: \"2m\"\n}\n",
		filepath.Join(dir, "jwt"), !o.NoDelete)
	if o.MemoryResolver {
		resolver = "resolver: MEMORY\n"
	}
	return fmt.Sprintf("operator: %q\nsystem_account: %q\n%sresolver_preload {\n  %s: %q\n}\n%s",
		op.JWT, op.SystemAccount, resolver, op.SystemAccount, op.SystemAccountJWT, o.Extra)
}

// CreateAccount makes an account with unlimited JetStream, signed by the
// operator signing key, and pushes it to every server.
func (op *Operator) CreateAccount(ctx context.Context, name string) (*Account, error) {
	signKP, err := nkeys.FromSeed(op.SigningSeed)
	if err != nil {
		return nil, fmt.Errorf("operator signing seed: %w", err)
	}
	acc, err := newAccount(name, signKP, true)
	if err != nil {
		return nil, err
	}
	if err := op.Push(ctx, acc.JWT); err != nil {
		return nil, err
	}
	if err := op.waitJetStream(ctx, acc); err != nil {
		return nil, err
	}
	return acc, nil
}

// waitJetStream waits until every server answers the account's JetStream
// info: servers acknowledge a push before they enable JetStream for the
// account, and a test creating a bucket in that moment gets 10039.
func (op *Operator) waitJetStream(ctx context.Context, acc *Account) error {
	opt, err := CredsOption(acc.Creds)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for _, s := range op.Servers {
		if err := waitJetStream(ctx, s.URL, "", opt); err != nil {
			return fmt.Errorf("jetstream for account %s on %s: %w", acc.PublicKey, s.Name(), err)
		}
	}
	return nil
}

// Push sends an account JWT to the resolver and waits until every server has
// answered that it stored it.
func (op *Operator) Push(ctx context.Context, accountJWT string) error {
	nc, err := op.SystemConn()
	if err != nil {
		return err
	}
	defer nc.Close()
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return fmt.Errorf("subscribe for resolver replies: %w", err)
	}
	if err := nc.PublishRequest("$SYS.REQ.CLAIMS.UPDATE", inbox, []byte(accountJWT)); err != nil {
		return fmt.Errorf("push account jwt: %w", err)
	}
	for i := range len(op.Servers) {
		if _, err := sub.NextMsgWithContext(ctx); err != nil {
			return fmt.Errorf("push account jwt: %d of %d servers answered: %w", i, len(op.Servers), err)
		}
	}
	return nil
}

// SystemConn connects as the system user to the first server.
func (op *Operator) SystemConn() (*nats.Conn, error) {
	opt, err := CredsOption(op.SystemCreds)
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(op.Servers[0].URL, opt)
	if err != nil {
		return nil, fmt.Errorf("connect as system user: %w", err)
	}
	return nc, nil
}

// User mints decorated credentials for a user of the account, signed by the
// account signing key. Empty pub and sub allow everything.
func (a *Account) User(name string, pub, sub []string) ([]byte, error) {
	signKP, err := nkeys.FromSeed(a.SigningSeed)
	if err != nil {
		return nil, fmt.Errorf("account signing seed: %w", err)
	}
	return newUser(name, a.PublicKey, signKP, pub, sub)
}

func newAccount(name string, signer nkeys.KeyPair, withJetStream bool) (*Account, error) {
	kp, err := nkeys.CreateAccount()
	if err != nil {
		return nil, fmt.Errorf("create account key: %w", err)
	}
	signKP, err := nkeys.CreateAccount()
	if err != nil {
		return nil, fmt.Errorf("create account signing key: %w", err)
	}
	acc := &Account{}
	acc.PublicKey, _ = kp.PublicKey()
	acc.SigningSeed, _ = signKP.Seed()
	signPub, _ := signKP.PublicKey()

	ac := jwt.NewAccountClaims(acc.PublicKey)
	ac.Name = name
	ac.SigningKeys.Add(signPub)
	if withJetStream {
		ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	}
	if acc.JWT, err = ac.Encode(signer); err != nil {
		return nil, fmt.Errorf("encode account %s: %w", name, err)
	}
	if acc.Creds, err = newUser(name+"-admin", acc.PublicKey, signKP, nil, nil); err != nil {
		return nil, err
	}
	return acc, nil
}

func newUser(name, account string, signer nkeys.KeyPair, pub, sub []string) ([]byte, error) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		return nil, fmt.Errorf("create user key: %w", err)
	}
	pk, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	uc := jwt.NewUserClaims(pk)
	uc.Name = name
	uc.IssuerAccount = account
	uc.Permissions.Pub.Allow.Add(pub...)
	uc.Permissions.Sub.Allow.Add(sub...)
	if len(pub) > 0 || len(sub) > 0 {
		uc.Resp = &jwt.ResponsePermission{MaxMsgs: 1, Expires: time.Minute}
	}
	tok, err := uc.Encode(signer)
	if err != nil {
		return nil, fmt.Errorf("encode user %s: %w", name, err)
	}
	creds, err := jwt.FormatUserConfig(tok, seed)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("format creds for user %s", name), err)
	}
	return creds, nil
}

// CredsOption authenticates with decorated credentials held in memory.
func CredsOption(creds []byte) (nats.Option, error) {
	return natsconn.CredsOption(creds)
}
