package conformance

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Sequence records the steps of a check built around Run (an edge site's:
// start a server, check its link, run KINE against it, cut the link): each
// step named, timed and bounded as Run's own, with Run's steps folded in,
// in one Report.
type Sequence struct {
	r *runner
}

// NewSequence starts a check of opts.Timeout. secrets are cut out of every
// step's detail.
func NewSequence(opts Options, secrets []string) *Sequence {
	opts = opts.withDefaults()
	now := time.Now()
	return &Sequence{r: &runner{
		opts:  opts,
		start: now,
		hard:  now.Add(opts.Timeout),
		runID: newRunID(),
		logs:  &logSink{secrets: secrets},
		rep:   &Report{Profile: opts.Profile, KineVersion: KineVersion()},
	}}
}

// Step runs fn with a deadline of budget, cut at the check's deadline, and
// records it under name. fn's error may carry a hint (WithHint) or mark the
// step skipped (Skip). Step reports whether it passed.
func (s *Sequence) Step(ctx context.Context, name string, budget time.Duration, fn func(ctx context.Context) (detail string, err error)) bool {
	return s.r.stepUntil(ctx, name, earliest(time.Now().Add(budget), s.r.hard), fn)
}

// Final is Step for what must run whatever happened before (stopping and
// removing what the check started): it gets at least budget, even past the
// check's deadline or after ctx ended.
func (s *Sequence) Final(ctx context.Context, name string, budget time.Duration, fn func(ctx context.Context) (detail string, err error)) bool {
	return s.r.stepUntil(context.WithoutCancel(ctx), name, time.Now().Add(budget), fn)
}

// Warn notes a finding for the running step that does not fail it.
func (s *Sequence) Warn(format string, args ...any) { s.r.warn(format, args...) }

// Include appends the steps of a Run made inside this check.
func (s *Sequence) Include(rep *Report) {
	s.r.rep.Steps = append(s.r.rep.Steps, rep.Steps...)
	if rep.ServerVersion != "" {
		s.r.rep.ServerVersion = rep.ServerVersion
	}
}

// SetServerVersion names the server the check ran against.
func (s *Sequence) SetServerVersion(v string) { s.r.rep.ServerVersion = v }

// Remaining is the time left before the check's deadline.
func (s *Sequence) Remaining() time.Duration { return time.Until(s.r.hard) }

// RunID is unique to this check, for names it gives what it creates.
func (s *Sequence) RunID() string { return s.r.runID }

// Report ends the check: total duration and verdict.
func (s *Sequence) Report() *Report {
	s.r.finish()
	return s.r.rep
}

// WithHint attaches what the person at the terminal should do about err; a
// failing step shows it.
func WithHint(err error, hint string) error { return withHint(err, hint) }

// Skip marks a step that does not apply, for reason; it counts as passed.
func Skip(reason string) error { return skip(reason) }

// LiveStep is a step a caller adds to Run's live phase: it runs after the
// profile's steps, while KINE still serves, and before the probe keys are
// removed. Its error may carry a hint (WithHint) or skip it (Skip).
type LiveStep struct {
	Name   string
	Budget time.Duration
	Run    func(ctx context.Context, k Live) (detail string, err error)
}

// Live is what a LiveStep may use.
type Live struct {
	// KV is an etcd client of the running KINE.
	KV *clientv3.Client
	// Prefix is where the step's keys must live: everything under it is
	// deleted by the cleanup step.
	Prefix string
	r      *runner
}

// Warn notes a finding for the step that does not fail it.
func (l Live) Warn(format string, args ...any) { l.r.warn(format, args...) }

// Create writes key as the kube-apiserver creates an object; ok is false
// when the key exists.
func (l Live) Create(ctx context.Context, key, val string) (rev int64, ok bool, err error) {
	return create(ctx, l.KV, key, val)
}

// Update writes key as the kube-apiserver updates an object at revision
// rev; ok is false when the key has moved on.
func (l Live) Update(ctx context.Context, key, val string, rev int64) (newRev int64, ok bool, err error) {
	newRev, ok, _, err = update(ctx, l.KV, key, val, rev)
	return newRev, ok, err
}
