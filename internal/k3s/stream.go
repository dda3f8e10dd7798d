package k3s

import (
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// StreamConfig is the stream config of the bucket KINE creates for an
// endpoint with these replicas and revHistory (0 meaning KINE's default):
// what a bucket made any other way, a promoted mirror for one, must be for
// KINE to accept it.
func StreamConfig(bucket string, replicas, revHistory int) jetstream.StreamConfig {
	return kineStream(bucket, replicas, revHistory)
}

// Describe joins differences for a message: "History is 5, KINE wants 10;
// TTL is 1h0m0s, KINE wants 0s".
func Describe(ds []Difference) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, "; ")
}
