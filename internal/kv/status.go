package kv

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// BucketStatus is the live state of a bucket's stream.
type BucketStatus struct {
	Values, Bytes, LastSequence uint64
	// Cluster and Leader are empty on a server without clustering.
	Cluster, Leader string
	// Replicas are the followers; the leader is not listed.
	Replicas []Replica
}

// Replica is one follower of the bucket's stream.
type Replica struct {
	Name    string
	Current bool
	Offline bool
	Active  time.Duration // since the follower was last seen
	Lag     uint64        // operations behind the leader
}

// Status returns a bucket's settings and live state from one stream info.
func Status(ctx context.Context, js jetstream.JetStream, name string) (Config, BucketStatus, error) {
	info, err := streamInfo(ctx, js, name)
	if err != nil {
		return Config{}, BucketStatus{}, fmt.Errorf("status of bucket %q: %w", name, err)
	}
	st := BucketStatus{
		Values:       info.State.Msgs,
		Bytes:        info.State.Bytes,
		LastSequence: info.State.LastSeq,
	}
	if ci := info.Cluster; ci != nil {
		st.Cluster, st.Leader = ci.Name, ci.Leader
		for _, p := range ci.Replicas {
			if p == nil {
				continue
			}
			st.Replicas = append(st.Replicas, Replica{
				Name: p.Name, Current: p.Current, Offline: p.Offline, Active: p.Active, Lag: p.Lag,
			})
		}
	}
	return fromStream(info.Config), st, nil
}
