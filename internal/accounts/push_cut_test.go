package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// A push cut off after it went out (the apply cancelled, its time limit
// reached) may have stored the account: the error must not claim that
// nothing was sent, and the account indeed lands. One cut before anything
// went out says so (ErrNotSent), and nothing lands.
func TestPushCutAfterSendingMayHaveStored(t *testing.T) {
	e := clusterEnv(t)
	observer := connect(t, cluster.SystemCreds, cluster.URLs()[1])

	build := func(name string) (string, string) {
		id, err := NewKey(KeyAccount)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := e.signer.EncodeAccount(Account{Name: name, PublicKey: id.PublicKey}, "")
		if err != nil {
			t.Fatal(err)
		}
		return id.PublicKey, tok
	}
	stored := func(pub string, wait time.Duration) bool {
		deadline := time.Now().Add(wait)
		for {
			on := 0
			for _, s := range cluster.Servers {
				if dr, ok := s.AccountResolver().(*server.DirAccResolver); ok {
					if got, err := dr.LoadAcc(pub); err == nil && got != "" {
						on++
					}
				}
			}
			if on > 0 || time.Now().After(deadline) {
				return on > 0
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// Cut when the servers see the update: it went out.
	pub, tok := build("cut-after")
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := observer.Subscribe("$SYS.REQ.ACCOUNT."+pub+".CLAIMS.UPDATE", func(*nats.Msg) { cancel() })
	if err != nil {
		t.Fatal(err)
	}
	if err := observer.Flush(); err != nil {
		t.Fatal(err)
	}
	_, err = e.resolver.Push(ctx, tok)
	sub.Unsubscribe()
	cancel()
	switch {
	case err == nil:
		t.Log("every server answered before the cut")
	case errors.Is(err, ErrNotSent):
		t.Fatalf("a push cut after it went out says nothing was sent: %v", err)
	}
	if !stored(pub, 5*time.Second) {
		t.Fatal("the push that went out stored nothing: the test proves nothing")
	}

	// Cut before: the server count never finishes.
	pub, tok = build("cut-before")
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := e.resolver.Push(ctx, tok); !errors.Is(err, ErrNotSent) {
		t.Fatalf("a push cancelled before sending: %v, want ErrNotSent", err)
	}
	if stored(pub, time.Second) {
		t.Fatal("a push that was never sent stored the account")
	}
}
