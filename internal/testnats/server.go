// Package testnats starts real nats-servers in-process for tests and for
// `make demo`: a single node, a JetStream cluster, an operator-mode system
// with a full resolver, a hub with a leaf node in another JetStream domain,
// and an operator-mode system of two such regions. Everything listens on loopback with random ports and keeps its
// store in a temporary directory that Shutdown removes.
package testnats

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultMaxPayload is what the harness gives servers unless told otherwise:
// large enough for the 1.5 MiB Kubernetes objects KINE stores.
const DefaultMaxPayload = 8 << 20

// Config describes one server. Zero values give a standalone JetStream node.
type Config struct {
	// Name is the server name; a random one is used when empty.
	Name string
	// Port is the client port; 0 picks a free one on every start, so a
	// restarted server listens elsewhere.
	Port int
	// Domain is the JetStream domain, if any.
	Domain string
	// MaxPayload in bytes; DefaultMaxPayload when zero.
	MaxPayload int
	// Extra is appended verbatim to the generated configuration file.
	Extra string
	// NoJetStream starts the server without JetStream.
	NoJetStream bool
}

// Server is one running in-process nats-server.
type Server struct {
	*server.Server
	// URL is the client URL, nats://127.0.0.1:port.
	URL string
	dir string
	cfg string
}

// Start runs a server described by cfg and waits until it accepts clients.
func Start(cfg Config) (*Server, error) {
	dir, err := os.MkdirTemp("", "testnats-")
	if err != nil {
		return nil, fmt.Errorf("make store dir: %w", err)
	}
	return startIn(dir, cfg, "")
}

// startIn writes the configuration into dir and starts the server. body is
// extra configuration text from a topology (cluster, operator, leaf).
func startIn(dir string, cfg Config, body string) (*Server, error) {
	path, err := writeConfig(dir, cfg, body)
	if err != nil {
		return nil, err
	}
	s, err := run(path)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.dir, s.cfg = dir, path
	return s, nil
}

// writeConfig writes the configuration file of a server described by cfg
// with its store in dir, and returns its path. Writing it again with
// another body and calling Reload changes a running server.
func writeConfig(dir string, cfg Config, body string) (string, error) {
	if cfg.Name == "" {
		cfg.Name = "n-" + filepath.Base(dir)
	}
	if cfg.MaxPayload == 0 {
		cfg.MaxPayload = DefaultMaxPayload
	}
	port := cfg.Port
	if port == 0 {
		port = -1
	}
	var b strings.Builder
	fmt.Fprintf(&b, "server_name: %q\nlisten: \"127.0.0.1:%d\"\nmax_payload: %d\n", cfg.Name, port, cfg.MaxPayload)
	if !cfg.NoJetStream {
		fmt.Fprintf(&b, "jetstream {\n  store_dir: %q\n", filepath.Join(dir, "js"))
		if cfg.Domain != "" {
			fmt.Fprintf(&b, "  domain: %q\n", cfg.Domain)
		}
		b.WriteString("}\n")
	}
	b.WriteString(body)
	b.WriteString(cfg.Extra)

	path := filepath.Join(dir, "server.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("write server config: %w", err)
	}
	return path, nil
}

// readyWait bounds a server's start. A listener that cannot bind (its port
// taken) never becomes ready, and the caller may retry on other ports.
const readyWait = 10 * time.Second

func run(configFile string) (*Server, error) {
	opts, err := server.ProcessConfigFile(configFile)
	if err != nil {
		return nil, fmt.Errorf("read server config %s: %w", configFile, err)
	}
	opts.NoSigs = true
	opts.NoLog = true
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(readyWait) {
		ns.Shutdown()
		return nil, fmt.Errorf("server %s not ready for connections", opts.ServerName)
	}
	return &Server{Server: ns, URL: ns.ClientURL()}, nil
}

// Stop shuts the server down and keeps its store, so Restart can bring it back.
func (s *Server) Stop() {
	s.Server.Shutdown()
	s.Server.WaitForShutdown()
}

// Restart starts a stopped server again from the same configuration and store.
// A server started on port 0 listens on a new port: URL is updated. Fixed
// ports were free a moment ago, so a start that cannot bind is retried.
func (s *Server) Restart() error {
	var ns *Server
	var err error
	for range 3 {
		if ns, err = run(s.cfg); err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	s.Server, s.URL = ns.Server, ns.URL
	return nil
}

// Shutdown stops the server and removes its store.
func (s *Server) Shutdown() {
	s.Stop()
	os.RemoveAll(s.dir)
}

// TotalConnections is the number of client connections the server has
// accepted since it started.
func (s *Server) TotalConnections() uint64 {
	v, err := s.Varz(nil)
	if err != nil {
		return 0
	}
	return v.TotalConnections
}

// Anchor creates a small stream that stays for the server's life in the
// account the options authenticate as. nats-server removes an account's
// stream directory in the background when its last stream is deleted, and a
// stream created at that moment can fail with "could not create storage
// directory": tests that create and delete buckets back to back keep one
// stream around so the directory never goes.
func Anchor(url string, opts ...nats.Option) error {
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("anchor: connect: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("anchor: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "TESTNATS_ANCHOR", Subjects: []string{"testnats.anchor"}, Replicas: 1})
	if err != nil {
		return fmt.Errorf("anchor: create stream: %w", err)
	}
	return nil
}

// StoreDir is where the server keeps JetStream data, for tests that check
// what is left on disk.
func (s *Server) StoreDir() string { return filepath.Join(s.dir, "js") }
