package kv

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// A create whose request reached the servers but whose answer never came
// (the apply was cancelled, or timed out) may have made the bucket: the
// error says so, and the bucket indeed appears. The caller cancels the
// moment the servers see the request; an R3 create answers only after the
// cluster agrees, so the cancel comes first (a run where the answer won
// the race is tried again under another name).
func TestCreateUnansweredMayExist(t *testing.T) {
	js := clusterJS(t)
	observer, err := nats.Connect(cluster.Servers[1].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer observer.Close()
	for attempt := range 5 {
		name := fmt.Sprintf("mayexist_%d_%d", time.Now().UnixNano()%1e6, attempt)
		ctx, cancel := context.WithCancel(context.Background())
		sub, err := observer.Subscribe("$JS.API.STREAM.CREATE."+StreamName(name), func(*nats.Msg) { cancel() })
		if err != nil {
			t.Fatal(err)
		}
		if err := observer.Flush(); err != nil {
			t.Fatal(err)
		}
		_, err = Create(ctx, js, Config{Name: name, Replicas: 3})
		cancel()
		sub.Unsubscribe()
		cleanup := func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = Delete(ctx, js, name)
		}
		if err == nil {
			cleanup() // the answer came before the cancel: try again
			continue
		}
		if !errors.Is(err, ErrMayExist) {
			t.Fatalf("cancelled create: %v, want it to say the bucket may exist", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := Get(ctx, js, name)
			cancel()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the bucket the error said may exist never appeared: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		cleanup()
		return
	}
	t.Skip("the servers answered before the cancel in every attempt")
}

// A refusal proves nothing was made: no ErrMayExist.
func TestCreateRefusedIsNotMayExist(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Create(ctx, singleJS(t), Config{Name: "refused_r3", Replicas: 3})
	if err == nil || errors.Is(err, ErrMayExist) {
		t.Fatalf("R3 on a single server: %v, want a refusal that made nothing", err)
	}
}
