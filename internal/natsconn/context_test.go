package natsconn_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// A context supplies servers and TLS; a resource's credentials override
// replaces only its credentials, so the override still reaches the TLS
// server the context names.
func TestCredentialsOverrideKeepsContextServersAndTLS(t *testing.T) {
	s, m := testnats.StartTLS(t)
	file := filepath.Join(t.TempDir(), "tls.json")
	ctxJSON, err := json.Marshal(map[string]any{
		"url": s.URL, "ca": m.CAFile, "cert": m.ClientCertFile, "key": m.ClientKeyFile, "inbox_prefix": "_INBOX_ctx",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, ctxJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	id := natsconn.Identity{Context: file}
	override := id.WithCreds(string(accA.Creds))

	resolved, err := override.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	if len(resolved.Servers) != 1 || resolved.Servers[0] != s.URL || resolved.TLS.CA != m.CAFile ||
		resolved.TLS.Cert != m.ClientCertFile || resolved.InboxPrefix != "_INBOX_ctx" {
		t.Errorf("resolved override = servers %v, TLS %+v, inbox %q; want the context's", resolved.Servers, resolved.TLS, resolved.InboxPrefix)
	}
	if got := override.Kind(); got != "credentials data" {
		t.Errorf("override authenticates with %s, want its credentials data", got)
	}

	pool := natsconn.NewPool()
	defer pool.Close()
	for name, id := range map[string]natsconn.Identity{"context": id, "override": override} {
		c, err := pool.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := c.NC.ConnectedUrl(); got != s.URL {
			t.Errorf("%s connected to %s, want %s", name, got, s.URL)
		}
	}
}
