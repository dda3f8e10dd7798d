package kv

import (
	"context"
	"slices"

	"github.com/nats-io/nats.go/jetstream"
)

// CreateStream creates a stream from cfg as it is (a mirror of a bucket,
// for one), retrying the server's transient create errors as Create does.
// Errors keep the server's own words.
func CreateStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	var s jetstream.Stream
	err := retryWhile(ctx, func() (err error) {
		s, err = js.CreateStream(ctx, cfg)
		return err
	}, errCodeStoreCreate, errCodeNotEnabledForAcct, errCodeAccountNotFound)
	return s, fromServer(err)
}

// UpdateStream replaces a stream's config with cfg, retrying while an
// earlier reconfiguration (a scale-up) is still converging. Errors keep the
// server's own words.
func UpdateStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	var s jetstream.Stream
	err := retryWhile(ctx, func() (err error) {
		s, err = js.UpdateStream(ctx, cfg)
		return err
	}, errCodeReconfiguring)
	return s, fromServer(err)
}

// JetStream is p as a stream config spells it; nil for no placement.
func (p *Placement) JetStream() *jetstream.Placement { return toPlacement(p) }

// PlacementOf reads a stream's placement; nil when it has none.
func PlacementOf(p *jetstream.Placement) *Placement {
	if p == nil || (p.Cluster == "" && len(p.Tags) == 0) {
		return nil
	}
	return &Placement{Cluster: p.Cluster, Tags: slices.Clone(p.Tags)}
}
