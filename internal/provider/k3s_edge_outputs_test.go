package provider

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/edge"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// startFromOutputs plays the edge host: it writes the files the state
// lists, under a temporary root, with server_config's paths pointed there,
// starts nats-server from them as KINE's embedded server would, writes to
// the bucket at the edge, and checks that a mirror in the hub (a plain
// JetStream mirror across domains, as nats_kv_mirror makes it) catches up,
// a 1.5 MiB value included. Everything it made is gone afterwards.
func startFromOutputs(t *testing.T, h *edgeHub) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a := s.RootModule().Resources[edgeAddr].Primary.Attributes
		root := t.TempDir()
		here := func(p string) string { return filepath.Join(root, p) }
		config := a["server_config"]
		n, _ := strconv.Atoi(a["files.#"])
		for i := range n {
			path, kind := a[fmt.Sprintf("files.%d.path", i)], a[fmt.Sprintf("files.%d.kind", i)]
			var content string
			switch kind {
			case edge.KindCredentials:
				content = a["credentials"]
			case edge.KindTLSCA:
				content = h.tls.CAPEM
			case edge.KindTLSCert:
				content = h.tls.ClientCertPEM
			case edge.KindTLSKey:
				content = h.tls.ClientKeyPEM
			case edge.KindServerConfig, edge.KindK3sConfig:
				continue
			default:
				return fmt.Errorf("file %s of unknown kind %q", path, kind)
			}
			if err := os.MkdirAll(filepath.Dir(here(path)), 0o700); err != nil {
				return err
			}
			if err := os.WriteFile(here(path), []byte(content), 0o600); err != nil {
				return err
			}
			config = strings.ReplaceAll(config, strconv.Quote(path), strconv.Quote(here(path)))
		}
		config = strings.ReplaceAll(config, strconv.Quote(a["store_dir"]), strconv.Quote(here(a["store_dir"])))
		confPath := here("server.conf")
		if err := os.WriteFile(confPath, []byte(config), 0o600); err != nil {
			return err
		}
		ep, err := k3s.ParseEndpoint(a["endpoint"])
		if err != nil {
			return err
		}
		if ep.ServerConfig != a["server_config_file"] {
			return fmt.Errorf("the endpoint names %s, server_config_file is %s", ep.ServerConfig, a["server_config_file"])
		}
		// This host is not the edge's: listen on a free loopback port.
		ep.Servers, ep.DontListen = []string{"127.0.0.1"}, false
		opts, err := edge.EmbeddedOptions(confPath, ep)
		if err != nil {
			return err
		}
		opts.ServerName += "-outputs" // beside the check's, never in its place
		srv, err := server.NewServer(opts)
		if err != nil {
			return err
		}
		go srv.Start()
		defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
		if !srv.ReadyForConnections(20 * time.Second) {
			return fmt.Errorf("the edge server from the outputs did not start")
		}
		return mirrorFollows(t, h, srv, a["jetstream_domain"], a["bucket"], a["rev_history"])
	}
}

// mirrorFollows writes at the edge and waits for a hub mirror to catch up.
func mirrorFollows(t *testing.T, h *edgeHub, srv *server.Server, domain, bucket, history string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for srv.NumLeafNodes() == 0 {
		if ctx.Err() != nil {
			return fmt.Errorf("the edge from the outputs did not connect to the hub")
		}
		time.Sleep(20 * time.Millisecond)
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		return err
	}
	defer nc.Close()
	ejs, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	revs, _ := strconv.Atoi(history)
	cfg := k3s.BucketConfig(bucket, 1, revs)
	kv, err := ejs.CreateKeyValue(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bucket at the edge: %w", err)
	}
	big := make([]byte, 1536<<10)
	_, _ = rand.Read(big)
	for i, v := range [][]byte{[]byte("a"), big, []byte("c")} {
		if _, err := kv.Put(ctx, fmt.Sprintf("k%d", i), v); err != nil {
			return err
		}
	}
	hjs := h.jetStream(t)
	mirror := "KV_" + bucket + "_hub_copy"
	if _, err := hjs.CreateStream(ctx, jetstream.StreamConfig{
		Name: mirror, Description: cfg.Description, MaxMsgsPerSubject: int64(cfg.History),
		Mirror: &jetstream.StreamSource{Name: "KV_" + bucket, Domain: domain}, MirrorDirect: true,
	}); err != nil {
		return fmt.Errorf("hub mirror: %w", err)
	}
	defer hjs.DeleteStream(context.Background(), mirror)
	for {
		st, err := hjs.Stream(ctx, mirror)
		if err == nil && st.CachedInfo().State.LastSeq == 3 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the hub mirror of the edge bucket did not catch up: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
