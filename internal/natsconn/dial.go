package natsconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/nats-io/jsm.go/natscontext"
	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// dial connects as id. Errors name the servers and the kind of credential,
// never the credential itself.
func dial(ctx context.Context, id Identity) (*nats.Conn, error) {
	opts, servers, err := options(id)
	if err != nil {
		return nil, fmt.Errorf("nats connection with %s: %w", id.Kind(), err)
	}
	type result struct {
		nc  *nats.Conn
		err error
	}
	// nats.Connect takes no context: race it against ctx so a cancelled
	// apply does not wait for the dial timeout.
	done := make(chan result, 1)
	go func() {
		nc, err := nats.Connect(servers, opts...)
		done <- result{nc, err}
	}()
	select {
	case r := <-done:
		var urlErr *url.Error
		if errors.As(r.err, &urlErr) {
			// url.Error repeats the whole URL, password included.
			return nil, fmt.Errorf("connect to %s with %s: a server URL is malformed (%s)", id.ServerList(), id.Kind(), urlErr.Err)
		}
		if r.err != nil {
			return nil, fmt.Errorf("connect to %s with %s: %w", id.ServerList(), id.Kind(), r.err)
		}
		return r.nc, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.nc != nil {
				r.nc.Close()
			}
		}()
		return nil, fmt.Errorf("connect to %s with %s: %w", id.ServerList(), id.Kind(), ctx.Err())
	}
}

// options turns an identity into nats.go options and a server list.
func options(id Identity) ([]nats.Option, string, error) {
	timeout := id.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// With credentials of its own, an identity takes only servers, TLS and
	// inbox prefix from its context.
	if id.Context != "" && id.ownCredentials() {
		var err error
		if id, err = id.Resolved(); err != nil {
			return nil, "", err
		}
	}
	opts := []nats.Option{
		nats.Name("terraform-provider-nats"),
		nats.Timeout(timeout),
		// nats.go prints asynchronous errors (permission violations) to
		// stderr by default; the request that caused one fails on its own.
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
	}
	servers := strings.Join(id.Servers, ",")

	switch {
	case id.CredsFile != "":
		if !plausiblePath(id.CredsFile) {
			// nats.go would quote the "path" in its error: it is secret content.
			return nil, "", errors.New("the credentials file setting holds what looks like file content, not a path: pass content as credentials data")
		}
		opts = append(opts, nats.UserCredentials(id.CredsFile))
	case id.CredsData != "":
		opt, err := CredsOption([]byte(id.CredsData))
		if err != nil {
			return nil, "", err
		}
		opts = append(opts, opt)
	case id.NKeySeed != "":
		opt, err := nkeyOption(id.NKeySeed)
		if err != nil {
			return nil, "", err
		}
		opts = append(opts, opt)
	case id.User != "":
		opts = append(opts, nats.UserInfo(id.User, id.Password))
	case id.Token != "":
		opts = append(opts, nats.Token(id.Token))
	case id.Context != "":
		nctx, err := loadContext(id.Context)
		if err != nil {
			return nil, "", err
		}
		copts, err := nctx.NATSOptions()
		if err != nil {
			return nil, "", fmt.Errorf("context %q: %w", id.Context, err)
		}
		opts = append(opts, copts...)
		if servers == "" {
			servers = nctx.ServerURL()
		}
		if id.InboxPrefix == "" && nctx.InboxPrefix() != "" {
			opts = append(opts, nats.CustomInboxPrefix(nctx.InboxPrefix()))
		}
	}
	if servers == "" {
		servers = DefaultURL
	}
	if id.TLS.enabled() {
		cfg, err := tlsConfig(id.TLS)
		if err != nil {
			return nil, "", err
		}
		opts = append(opts, nats.Secure(cfg))
		if id.TLS.HandshakeFirst {
			opts = append(opts, nats.TLSHandshakeFirst())
		}
	}
	if id.InboxPrefix != "" {
		opts = append(opts, nats.CustomInboxPrefix(id.InboxPrefix))
	}
	return opts, servers, nil
}

// CredsOption authenticates with decorated credentials held in memory, so
// that credentials arriving as data never touch the disk.
func CredsOption(creds []byte) (nats.Option, error) {
	tok, err := jwt.ParseDecoratedJWT(creds)
	if err != nil {
		return nil, errors.New("not the content of a .creds file: no user JWT found")
	}
	if _, err := jwt.DecodeUserClaims(tok); err != nil {
		return nil, errors.New("not the content of a .creds file: the JWT is not a valid user JWT")
	}
	kp, err := jwt.ParseDecoratedUserNKey(creds)
	if err != nil {
		return nil, errors.New("not the content of a .creds file: no valid user nkey seed found")
	}
	seed, err := kp.Seed()
	if err != nil {
		return nil, errors.New("not the content of a .creds file: the nkey is not a seed")
	}
	return nats.UserJWTAndSeed(tok, string(seed)), nil
}

func nkeyOption(seed string) (nats.Option, error) {
	kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(seed)))
	if err != nil {
		return nil, errors.New("nkey_seed is not a valid nkey seed (it starts with 'SU' for a user)")
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("nkey_seed: %w", err)
	}
	return nats.Nkey(pub, kp.Sign), nil
}

// loadContext takes a nats CLI context by name, or by path to its file.
func loadContext(ref string) (*natscontext.Context, error) {
	if isContextPath(ref) {
		c, err := natscontext.NewFromFile(ref)
		if err != nil {
			return nil, fmt.Errorf("load context file %s: %w", ref, err)
		}
		return c, nil
	}
	c, err := natscontext.New(ref, true)
	if err != nil {
		return nil, fmt.Errorf("load context %q: %w", ref, err)
	}
	return c, nil
}

// pemOrFile returns PEM content given either the content itself or a path.
func pemOrFile(what, v string) ([]byte, error) {
	if strings.Contains(v, "-----BEGIN") {
		return []byte(v), nil
	}
	b, err := os.ReadFile(v)
	if err != nil {
		if !plausiblePath(v) {
			// Not a path: key material without PEM armour. Never echo it.
			return nil, fmt.Errorf("TLS %s is neither PEM content nor a readable file path", what)
		}
		return nil, fmt.Errorf("read TLS %s: %w", what, err)
	}
	return b, nil
}

func tlsConfig(t TLS) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CA != "" {
		ca, err := pemOrFile("CA", t.CA)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, errors.New("TLS CA holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	if t.Cert != "" || t.Key != "" {
		if t.Cert == "" || t.Key == "" {
			return nil, errors.New("TLS client certificate and key go together: set both or neither")
		}
		cert, err := pemOrFile("client certificate", t.Cert)
		if err != nil {
			return nil, err
		}
		key, err := pemOrFile("client key", t.Key)
		if err != nil {
			return nil, err
		}
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			// The error of X509KeyPair never contains key material.
			return nil, fmt.Errorf("TLS client certificate and key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// ContextFile is the path of a nats CLI context's file, given its name or
// path: what KINE's contextFile endpoint parameter takes.
func ContextFile(ref string) (string, error) {
	if isContextPath(ref) {
		return ref, nil
	}
	p, err := natscontext.ContextPath(ref)
	if err != nil {
		return "", fmt.Errorf("find context %q: %w", ref, err)
	}
	return p, nil
}

// isContextPath tells a context file path from a context name.
func isContextPath(ref string) bool {
	return strings.ContainsAny(ref, `/\`) || strings.HasSuffix(ref, ".json")
}
