package edge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
)

// local is a site's edge server run on this machine from the site's exact
// server configuration, its files (credentials, TLS, store) in a private
// directory, on a random loopback port: KINE linked into the provider has
// no embedded server and dials one.
type local struct {
	dir      string
	confPath string
	endpoint k3s.Endpoint
	opts     *server.Options
	log      *serverLog
	srv      *server.Server
	nc       *nats.Conn // in-process, for KINE's preflight
}

// prepareLocal writes the site's files into a new private directory (0700,
// files 0600) with the given contents and reads the configuration the way
// KINE does. The server is named serverName. On error the returned local,
// if any, holds what must still be removed.
func prepareLocal(site Site, creds []byte, tls TLSContent, serverName string, log *serverLog) (*local, error) {
	site = site.WithDefaults()
	if err := site.Validate(); err != nil {
		return nil, conformance.WithHint(err, "fix the site's settings")
	}
	dir, err := os.MkdirTemp("", PrivateDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("make private temp dir: %w", err)
	}
	l := &local{dir: dir, log: log}
	if err := os.Chmod(dir, 0o700); err != nil {
		return l, fmt.Errorf("make private temp dir: %w", err)
	}
	here := site
	here.StoreDir = filepath.Join(dir, "jetstream")
	if here.CredentialsFile, err = l.write("leaf.creds", creds); err != nil {
		return l, err
	}
	for _, f := range []struct {
		what, name, content string
		path                *string
	}{
		{"tls ca_file", "ca.pem", tls.CA, &here.TLS.CA},
		{"tls cert_file", "cert.pem", tls.Cert, &here.TLS.Cert},
		{"tls key_file", "key.pem", tls.Key, &here.TLS.Key},
	} {
		if *f.path == "" {
			continue
		}
		if f.content == "" {
			return l, conformance.WithHint(fmt.Errorf("%s is a path on the edge host, and nothing stands in for it here", f.what),
				"give the check the PEM content of that file (the tls block's ca, cert and key), or set conformance.mode = \"off\"")
		}
		content := []byte(f.content)
		if !strings.Contains(f.content, "-----BEGIN") {
			if content, err = os.ReadFile(f.content); err != nil {
				return l, conformance.WithHint(fmt.Errorf("read the stand-in for %s: %v", f.what, err), "give the PEM content instead of a path")
			}
		}
		if *f.path, err = l.write(f.name, content); err != nil {
			return l, err
		}
	}
	if l.confPath, err = l.write("server.conf", []byte(here.ServerConfig())); err != nil {
		return l, err
	}
	l.endpoint = k3s.Endpoint{Servers: []string{"127.0.0.1"}}
	if l.opts, err = EmbeddedOptions(l.confPath, l.endpoint); err != nil {
		return l, conformance.WithHint(err, "this is a defect of the provider: the generated server_config does not parse")
	}
	// The hub replaces a leaf connection by a newer one of the same server
	// name: a running site's must never be the one to go.
	l.opts.ServerName = serverName
	return l, nil
}

// write stores content in the private directory (0600).
func (l *local) write(name string, content []byte) (string, error) {
	p := filepath.Join(l.dir, name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return p, nil
}

// start runs the server until it accepts clients with JetStream on.
func (l *local) start(ctx context.Context) error {
	srv, err := server.NewServer(l.opts)
	if err != nil {
		return conformance.WithHint(fmt.Errorf("nats-server refuses the configuration: %w", err), "fix the site's settings")
	}
	srv.SetLoggerV2(l.log, false, false, false)
	l.srv = srv
	go srv.Start()
	for !srv.ReadyForConnections(100*time.Millisecond) || !srv.JetStreamEnabled() {
		if ctx.Err() != nil {
			return fmt.Errorf("the edge server was not ready in time: %w%s", ctx.Err(), logged(l.log))
		}
	}
	if l.nc, err = natsconn.Local(srv, "edge check "+l.opts.ServerName); err != nil {
		return err
	}
	return nil
}

// setRemote disables or enables the leaf remote by reloading the server's
// options, as a changed configuration file would.
func (l *local) setRemote(disabled bool) error {
	opts, err := EmbeddedOptions(l.confPath, l.endpoint)
	if err != nil {
		return err
	}
	opts.ServerName, opts.JetStreamDomain = l.opts.ServerName, l.opts.JetStreamDomain
	opts.Port = l.srv.Addr().(*net.TCPAddr).Port
	for _, r := range opts.LeafNode.Remotes {
		r.Disabled = disabled
	}
	if err := l.srv.ReloadOptions(opts); err != nil {
		state := "off"
		if !disabled {
			state = "on"
		}
		return fmt.Errorf("reload the edge server to turn the leaf remote %s: %w", state, err)
	}
	return nil
}

// stop stops the server and removes the private directory, within ctx.
// It is safe on a nil or half-prepared local.
func (l *local) stop(ctx context.Context) error {
	if l == nil {
		return nil
	}
	var errs []error
	if l.nc != nil {
		l.nc.Close()
	}
	if l.srv != nil {
		l.srv.Shutdown()
		done := make(chan struct{})
		go func() { l.srv.WaitForShutdown(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			errs = append(errs, errors.New("the edge server did not stop in time"))
		}
	}
	if l.dir != "" {
		if err := os.RemoveAll(l.dir); err != nil {
			errs = append(errs, fmt.Errorf("remove the private files in %s: %w", l.dir, err))
		}
	}
	return errors.Join(errs...)
}

// logged is what the edge server warned about lately, for a detail.
func logged(log *serverLog) string {
	lines := log.last(4)
	if len(lines) == 0 {
		return ""
	}
	return "; the edge server logged: " + strings.Join(lines, " | ")
}

// Local is a site's edge server running on this machine from its exact
// configuration, with its files in a private directory, as the check runs
// it: for tests and demos that need an edge site without an edge host.
type Local struct {
	l *local
}

// StartLocal starts the edge server of site with these contents for its
// files, named serverName on the hub, and waits until it accepts clients.
func StartLocal(ctx context.Context, site Site, creds []byte, tls TLSContent, serverName string) (*Local, error) {
	l, err := prepareLocal(site, creds, tls, serverName, &serverLog{secrets: conformance.CredsSecrets(creds)})
	if err == nil {
		err = l.start(ctx)
	}
	if err != nil {
		_ = l.stop(context.WithoutCancel(ctx))
		return nil, err
	}
	return &Local{l: l}, nil
}

// Server is the running nats-server.
func (x *Local) Server() *server.Server { return x.l.srv }

// SetLink cuts (false) or restores (true) the leaf connection.
func (x *Local) SetLink(up bool) error { return x.l.setRemote(!up) }

// Stop stops the server and removes its files.
func (x *Local) Stop(ctx context.Context) error { return x.l.stop(ctx) }
