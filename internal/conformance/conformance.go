// Package conformance proves that k3s can keep its state in a NATS bucket:
// it runs the real KINE NATS driver and KINE's etcd API server in-process
// against the target, drives them with the etcd v3 client over an in-memory
// gRPC link, and makes the calls the kube-apiserver makes.
//
// A check is a preflight (server version, JetStream account, max_payload,
// permissions, bucket config, replicas: all before KINE starts) followed by
// the live steps of a profile. Every step is timed and bounded; KINE is always
// stopped and every probe key removed.
package conformance

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// Profile selects how much of KINE's behaviour the check exercises.
type Profile string

const (
	// ProfileQuick covers what every kube-apiserver request shape needs:
	// create, get, guarded update and delete, paged range, past revisions,
	// watch.
	ProfileQuick Profile = "quick"
	// ProfileFull adds leases, a 1.5 MiB object, a second KINE instance on
	// the same bucket with racing creates, and (on a scratch bucket only)
	// compaction.
	ProfileFull Profile = "full"
)

// DefaultTimeout bounds a whole check when Options.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Target is what the check runs KINE against.
type Target struct {
	// Endpoint is the exact KINE datastore endpoint to run KINE with.
	Endpoint k3s.Endpoint
	// Creds is credentials content; when set, it is written to a private
	// (0600) temp file that replaces Endpoint.CredsFile for the run (the
	// real path lives on the k3s hosts) and is removed afterwards.
	Creds []byte
	// TLS for KINE's NATS connection, if the target needs it.
	TLS TLS
	// Scratch means the bucket is a throwaway made for this check: the
	// destructive compaction step may run on it.
	Scratch bool
}

// TLS is what KINE takes for its NATS connection (k3s' --datastore-cafile,
// --datastore-certfile, --datastore-keyfile). Each field is PEM content or
// a file path; content is written to a private temp file for the run.
type TLS struct {
	CA, Cert, Key string
}

// Options tune a check.
type Options struct {
	Profile Profile
	// Timeout bounds the whole check; DefaultTimeout when zero.
	Timeout time.Duration
	// OnStep, when set, is called after each step with its result, for
	// progress logs. It must not block.
	OnStep func(Step)
	// LiveSteps run after the profile's steps, against the same KINE.
	LiveSteps []LiveStep
}

func (o Options) withDefaults() Options {
	if o.Profile == "" {
		o.Profile = ProfileQuick
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

// Step is the result of one named, timed step.
type Step struct {
	Name     string
	OK       bool
	Skipped  bool
	Duration time.Duration
	// Detail is what was checked and what KINE or the server answered.
	Detail string
	// Hint says what to do about a failure.
	Hint string
	// Warning is a finding that does not fail the step but deserves a look
	// (for example a conflict answered as an error).
	Warning string
}

// Report is the outcome of a check.
type Report struct {
	Passed        bool
	Profile       Profile
	KineVersion   string
	ServerVersion string
	Steps         []Step
	Duration      time.Duration
	// Advice is set by RunTwin and Advise: the endpoint params that make
	// KINE accept the plain bucket as it is, or why no params can.
	Advice *Advice
	// AdviceOnly marks a report of Advise: the config was compared, KINE
	// did not run.
	AdviceOnly bool
}

// Advice says how to point KINE at an existing plain bucket.
type Advice struct {
	Bucket string
	// Replicas and RevHistory are the endpoint params matching the bucket.
	Replicas, RevHistory int
	// OK is false when no endpoint params make KINE accept the bucket;
	// Blockers then lists what must change on the bucket first.
	OK       bool
	Blockers []k3s.Difference
	// Endpoint is the redacted endpoint with those params, when OK.
	Endpoint string
}

// Run runs the preflight and then the profile's live steps against t. nc is
// an already-connected NATS connection with the same identity KINE will
// use; Run uses it for the preflight and never closes it. Run returns within
// opts.Timeout plus a few seconds of grace, whatever the target does.
func Run(ctx context.Context, nc *nats.Conn, t Target, opts Options) *Report {
	r := newRunner(ctx, nc, t, opts.withDefaults())
	return r.run(ctx)
}
