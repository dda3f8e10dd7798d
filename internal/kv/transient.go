package kv

import (
	"context"
	"errors"
	"fmt"
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
const (
	errCodeStoreCreate        = 10049
	errCodeNotEnabledForAcct  = 10039
	transientRetryFor         = 5 * time.Second
	transientRetryFirstPause  = 50 * time.Millisecond
	transientRetryLongestWait = 500 * time.Millisecond
)

// CreateExact creates a bucket from a nats.go config as it is, retrying the
// server's transient create errors for a few seconds. k3s uses it to make a
// bucket exactly as KINE would.
func CreateExact(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	deadline := time.Now().Add(transientRetryFor)
	pause := transientRetryFirstPause
	for {
		kv, err := js.CreateKeyValue(ctx, cfg)
		if err == nil || !transient(err) || time.Now().After(deadline) {
			return kv, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (after a transient error: %v)", ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, transientRetryLongestWait)
	}
}

func transient(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == errCodeStoreCreate || apiErr.ErrorCode == errCodeNotEnabledForAcct
}
