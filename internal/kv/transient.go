package kv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// JetStream error codes that a create can draw for a moment and then not:
//   - 10049 "error creating store for stream": the server removes an
//     account's stream directory in the background when its last stream is
//     deleted, so a create right after (a bucket replaced, destroy then
//     create) can race it; in a cluster, a peer that has not yet enabled a
//     just-pushed account answers the same.
//   - 10039 "jetstream not enabled for account": servers enable JetStream
//     for a just-pushed account a moment after acknowledging the push.
//   - 10035 "account not found": the same, on a meta leader that has not
//     loaded the just-pushed account yet (seen under load).
const (
	errCodeStoreCreate       jetstream.ErrorCode = 10049
	errCodeNotEnabledForAcct jetstream.ErrorCode = 10039
	errCodeAccountNotFound   jetstream.ErrorCode = 10035
	// 10226 "stream reconfiguration already in progress": a scale-up has
	// not converged yet (the server does not show when it has).
	errCodeReconfiguring      jetstream.ErrorCode = 10226
	transientRetryFor                             = 15 * time.Second
	transientRetryFirstPause                      = 50 * time.Millisecond
	transientRetryLongestWait                     = 500 * time.Millisecond
)

// CreateExact creates a bucket from a nats.go config as it is, retrying the
// server's transient create errors for a few seconds. k3s uses it to make a
// bucket exactly as KINE would.
func CreateExact(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	var kv jetstream.KeyValue
	err := retryWhile(ctx, func() (err error) {
		kv, err = js.CreateKeyValue(ctx, cfg)
		return err
	}, errCodeStoreCreate, errCodeNotEnabledForAcct, errCodeAccountNotFound)
	return kv, err
}

// retryWhile calls do until it succeeds, fails with an error whose
// JetStream code is not one of codes, or ctx ends (transientRetryFor
// passes, when ctx has no deadline).
func retryWhile(ctx context.Context, do func() error, codes ...jetstream.ErrorCode) error {
	deadline := time.Now().Add(transientRetryFor)
	if d, ok := ctx.Deadline(); ok {
		deadline = d
	}
	pause := transientRetryFirstPause
	for {
		err := do()
		if err == nil || !hasCode(err, codes) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (after a transient error: %v)", ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, transientRetryLongestWait)
	}
}

func hasCode(err error, codes []jetstream.ErrorCode) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && slices.Contains(codes, apiErr.ErrorCode)
}

// healthyWait bounds how long WaitHealthy waits when its context has no
// deadline; callers with a time limit of their own (a resource's timeouts)
// pass it in ctx.
const healthyWait = 30 * time.Second

// WaitHealthy waits until the bucket's stream has a leader and replicas-1
// current followers. Right after a scale-up the stream elects a leader and
// catches followers up: the server refuses another reconfiguration
// meanwhile, and KINE started then sees timeouts. A large bucket may take
// minutes: the wait lasts as long as ctx allows.
func WaitHealthy(ctx context.Context, js jetstream.JetStream, bucket string, replicas int) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, healthyWait)
		defer cancel()
	}
	began := time.Now()
	seen := "no answer from the stream"
	for {
		s, err := js.Stream(ctx, StreamName(bucket))
		if err == nil {
			p := PeersOf(s.CachedInfo().Cluster)
			if replicas <= 1 || (p.Leader != "" && p.Current >= replicas) {
				return nil
			}
			seen = fmt.Sprintf("leader %q, %d current, %d catching up, %d offline", p.Leader, p.Current, p.Lagging, p.Offline)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bucket %q did not get a leader and %d current replicas within %s (last seen: %s); "+
				"the servers go on with the change, and the next plan shows where it stands: %w",
				bucket, replicas, time.Since(began).Round(time.Second), seen, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Peers counts a replicated stream's peers by health, the leader included.
type Peers struct {
	Leader                    string
	Current, Lagging, Offline int
}

// PeersOf reads a stream's cluster info; nil (no clustering) has no peers.
// A follower one entry behind the leader is Lagging, not Current, after
// every write or reconfiguration.
func PeersOf(ci *jetstream.ClusterInfo) Peers {
	var p Peers
	if ci == nil {
		return p
	}
	if p.Leader = ci.Leader; p.Leader != "" {
		p.Current = 1
	}
	for _, r := range ci.Replicas {
		switch {
		case r == nil:
		case r.Offline:
			p.Offline++
		case r.Current:
			p.Current++
		default:
			p.Lagging++
		}
	}
	return p
}

// Settled reports a leader with every follower online and current.
func (p Peers) Settled() bool { return p.Leader != "" && p.Offline == 0 && p.Lagging == 0 }
