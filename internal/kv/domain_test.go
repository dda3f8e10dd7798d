package kv

import (
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// TestLeafDomain manages a bucket in the leaf's JetStream domain through a
// connection to the hub, and checks it lives on the leaf only.
func TestLeafDomain(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	viaHub := testnats.JetStream(t, hubLeaf.Hub.URL, nil, testnats.LeafDomain)
	cfg := Config{Name: bucketName(t), History: 4, Description: "in the leaf"}
	created := mustCreate(t, viaHub, cfg)
	got, err := Get(ctx, viaHub, cfg.Name)
	if err != nil {
		t.Fatalf("Get through the hub: %v", err)
	}
	expect(t, "read back", got, created)
	expect(t, "read back", got, cfg.WithDefaults())

	if _, err := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "").Stream(ctx, StreamName(cfg.Name)); err != nil {
		t.Errorf("stream on the leaf: %v", err)
	}
	if _, err := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "").Stream(ctx, StreamName(cfg.Name)); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("stream on the hub: %v, want not found", err)
	}

	cfg.History = 8
	if got, err = Update(ctx, viaHub, cfg); err != nil || got.History != 8 {
		t.Errorf("Update through the hub: %+v, %v", got, err)
	}
	if err := Delete(ctx, viaHub, cfg.Name); err != nil {
		t.Errorf("Delete through the hub: %v", err)
	}
	if _, err := Get(ctx, viaHub, cfg.Name); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
}
