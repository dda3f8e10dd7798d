package natsconn_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

var (
	single *testnats.Server
	op     *testnats.Operator
	accA   *testnats.Account
)

func TestMain(m *testing.M) {
	var err error
	if single, err = testnats.Start(testnats.Config{}); err != nil {
		panic(err)
	}
	if op, err = testnats.StartOperator(testnats.OperatorOptions{}); err != nil {
		panic(err)
	}
	if accA, err = op.CreateAccount(context.Background(), "A"); err != nil {
		panic(err)
	}
	code := m.Run()
	op.Shutdown()
	single.Shutdown()
	os.Exit(code)
}

func TestPoolSharesOneConnectionPerIdentity(t *testing.T) {
	s, err := testnats.Start(testnats.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	pool := natsconn.NewPool()
	defer pool.Close()
	id := natsconn.Identity{Servers: []string{s.URL}}

	var wg sync.WaitGroup
	conns := make([]*natsconn.Conn, 16)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pool.Get(context.Background(), id)
			if err != nil {
				t.Error(err)
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	for _, c := range conns[1:] {
		if c != conns[0] {
			t.Fatal("concurrent Gets for one identity returned different connections")
		}
	}
	if n := s.TotalConnections(); n != 1 {
		t.Errorf("server saw %d connections, want 1", n)
	}
	js1, _ := conns[0].JetStream("")
	js2, _ := conns[0].JetStream("")
	if js1 != js2 {
		t.Error("JetStream context not reused")
	}

	other := id
	other.InboxPrefix = "_I_OTHER"
	if c, err := pool.Get(context.Background(), other); err != nil || c == conns[0] {
		t.Fatalf("a different identity must get its own connection (err %v)", err)
	}
	if n := s.TotalConnections(); n != 2 {
		t.Errorf("server saw %d connections, want 2", n)
	}
	pool.Close()
	if !conns[0].NC.IsClosed() {
		t.Error("Close left a connection open")
	}
	if _, err := pool.Get(context.Background(), id); err == nil {
		t.Error("Get after Close succeeded")
	}
}

func TestCredsDataIdentity(t *testing.T) {
	pool := natsconn.NewPool()
	defer pool.Close()
	c, err := pool.Get(context.Background(), natsconn.Identity{Servers: op.URLs(), CredsData: string(accA.Creds)})
	if err != nil {
		t.Fatal(err)
	}
	js, err := c.JetStream("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(context.Background()); err != nil {
		t.Fatalf("account info as account A: %v", err)
	}
}

func TestErrorsNameServerAndKindButNoSecret(t *testing.T) {
	const secret = "s3cr3t-t0ken-value"
	pool := natsconn.NewPool()
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cases := []struct {
		name string
		id   natsconn.Identity
		want []string
	}{
		{"wrong token", natsconn.Identity{Servers: op.URLs(), Token: secret}, []string{op.Servers[0].URL, "token"}},
		{"wrong password", natsconn.Identity{Servers: []string{"nats://bob:" + secret + "@" + strings.TrimPrefix(op.Servers[0].URL, "nats://")}, User: "bob", Password: secret}, []string{"user bob and password"}},
		{"garbage creds", natsconn.Identity{Servers: op.URLs(), CredsData: secret}, []string{"credentials data", ".creds"}},
		{"garbage seed", natsconn.Identity{Servers: op.URLs(), NKeySeed: secret}, []string{"nkey_seed"}},
		{"creds content where a path belongs", natsconn.Identity{Servers: op.URLs(), CredsFile: "-----BEGIN NATS USER JWT-----\n" + secret + "\n------END NATS USER JWT------"}, []string{"credentials file"}},
		{"password in a URL without scheme", natsconn.Identity{Servers: []string{"bob:" + secret + "@127.0.0.1:1"}, Timeout: time.Second}, []string{"REDACTED@127.0.0.1:1"}},
		{"malformed URL with a password", natsconn.Identity{Servers: []string{"nats://bob:" + secret + "%zz@127.0.0.1:1"}}, []string{"malformed"}},
		{"nobody listening", natsconn.Identity{Servers: []string{"nats://127.0.0.1:1"}, Timeout: time.Second}, []string{"127.0.0.1:1", "no credentials"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pool.Get(ctx, tc.id)
			if err == nil {
				t.Fatal("expected an error")
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error shows the secret: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if pool.Len() != 0 {
		t.Errorf("failed dials were kept in the pool: %d", pool.Len())
	}
}

func TestWithCredsKeepsServersDropsOtherCredentials(t *testing.T) {
	id := natsconn.Identity{Servers: []string{"nats://a:4222"}, Token: "t", InboxPrefix: "_X"}
	got := id.WithCreds("creds")
	if got.Token != "" || got.CredsData != "creds" || got.Servers[0] != "nats://a:4222" || got.InboxPrefix != "_X" {
		t.Fatalf("WithCreds = %+v", got)
	}
}
