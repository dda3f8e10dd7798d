package natsconn_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

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

// A stream listing is loaded once for concurrent readers of one scope,
// loaded afresh for another scope (the next Terraform command) and after
// any write through a pooled JetStream context, and a failed listing is not
// asked for again.
func TestStreamListing(t *testing.T) {
	pool := natsconn.NewPool()
	defer pool.Close()
	conn, err := pool.Get(context.Background(), natsconn.Identity{Servers: []string{single.URL}})
	if err != nil {
		t.Fatal(err)
	}
	var loads atomic.Int32
	load := func(context.Context) (natsconn.Listing, error) {
		loads.Add(1)
		time.Sleep(20 * time.Millisecond)
		return natsconn.Listing{}, nil
	}
	scope1, scope2 := new(int), new(int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := conn.StreamListing(context.Background(), scope1, "", load); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("8 concurrent readers loaded %d listings, want 1", n)
	}
	if _, err := conn.StreamListing(context.Background(), scope2, "", load); err != nil || loads.Load() != 2 {
		t.Fatalf("another scope: err %v, %d loads, want a second load", err, loads.Load())
	}

	js, err := conn.JetStream("")
	if err != nil {
		t.Fatal(err)
	}
	name := strings.ReplaceAll(t.Name(), "/", "_")
	if _, err := js.CreateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: name, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	defer js.DeleteKeyValue(context.Background(), name)
	if _, err := conn.StreamListing(context.Background(), scope2, "", load); err != nil || loads.Load() != 3 {
		t.Fatalf("after a write: err %v, %d loads, want a third load", err, loads.Load())
	}
	if _, err := conn.StreamListing(context.Background(), scope2, "", load); err != nil || loads.Load() != 3 {
		t.Fatalf("no write since: err %v, %d loads, want still 3", err, loads.Load())
	}

	fail := func(context.Context) (natsconn.Listing, error) {
		loads.Add(1)
		return nil, errors.New("permission denied")
	}
	if _, err := conn.StreamListing(context.Background(), scope1, "other", fail); err == nil {
		t.Fatal("a failed load returned no error")
	}
	if _, err := conn.StreamListing(context.Background(), scope2, "other", fail); err == nil || loads.Load() != 4 {
		t.Fatalf("after a failed load: err %v, %d loads, want an error and no new load", err, loads.Load())
	}
}
