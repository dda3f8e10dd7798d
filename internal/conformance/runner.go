package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	kinetls "github.com/k3s-io/kine/pkg/tls"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// ProbePrefix is where every probe key lives, under a per-run segment. It
// sorts after every Kubernetes resource prefix and names its owner.
const ProbePrefix = "/registry/zz-nats-provider-conformance/"

// Budgets of single steps; each is also cut at the run's deadline.
const (
	startBudget = 30 * time.Second
	stepBudget  = 10 * time.Second
	// cleanupMin is the least time kept back from the live steps for
	// deleting probe keys and stopping KINE.
	cleanupMin = 2 * time.Second
	cleanupMax = 8 * time.Second
)

// runner is the state of one check.
type runner struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	t    Target
	opts Options
	rep  *Report

	start, hard, liveEnd time.Time

	runID  string
	prefix string

	// What KINE runs with: the endpoint string (credentials path swapped
	// for a private copy) and the bucket settings with KINE's defaults.
	endpoint             string
	bucket               string
	replicas, revHistory int
	tls                  kinetls.Config
	dir                  *privateDir

	logs *logSink

	// kineParent carries no deadline: KINE under a deadline context spins
	// on JetStream timeouts. A timer cancels it at the hard deadline.
	kineParent context.Context
	kineCancel context.CancelFunc

	// What the preflight learnt: account limits and the existing bucket.
	acct         *jetstream.AccountInfo
	stream       *jetstream.StreamInfo
	bucketExists bool
	// warnings are collected by the running step and attached to it.
	warnings []string
}

// warn notes a non-fatal finding for the running step.
func (r *runner) warn(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

func newRunner(ctx context.Context, nc *nats.Conn, t Target, opts Options) *runner {
	now := time.Now()
	reserve := min(max(opts.Timeout/8, cleanupMin), cleanupMax)
	r := &runner{
		nc:      nc,
		t:       t,
		opts:    opts,
		start:   now,
		hard:    now.Add(opts.Timeout),
		liveEnd: now.Add(opts.Timeout - reserve),
		runID:   newRunID(),
		rep: &Report{
			Profile:     opts.Profile,
			KineVersion: KineVersion(),
		},
	}
	if nc != nil {
		r.rep.ServerVersion = nc.ConnectedServerVersion()
	}
	r.prefix = ProbePrefix + r.runID + "/"
	r.bucket, r.replicas, r.revHistory = t.Endpoint.Bucket, t.Endpoint.Replicas, t.Endpoint.RevHistory
	if r.bucket == "" {
		r.bucket = k3s.DefaultBucket
	}
	if r.replicas == 0 {
		r.replicas = k3s.DefaultReplicas
	}
	if r.revHistory == 0 {
		r.revHistory = k3s.DefaultRevHistory
	}
	secrets := []string{t.Endpoint.Password, t.Endpoint.Token}
	secrets = append(secrets, credsSecrets(t.Creds)...)
	r.logs = kineLogs.attach(secrets, []string{r.runID, "KV_" + r.bucket})
	r.kineParent, r.kineCancel = context.WithCancel(context.WithoutCancel(ctx))
	return r
}

func newRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// run is the whole check. Whatever happens, KINE is cancelled by the hard
// deadline, the private files are removed and the log capture detached.
func (r *runner) run(ctx context.Context) *Report {
	defer r.finish()
	defer kineLogs.detach(r.logs)
	// r.dir is made by the preflight: read it when the run ends, not now.
	defer func() { r.dir.remove() }()
	defer r.kineCancel()
	hardStop := time.AfterFunc(time.Until(r.hard), r.kineCancel)
	defer hardStop.Stop()

	if r.preflight(ctx) {
		r.live(ctx)
	}
	return r.rep
}

func (r *runner) finish() {
	r.rep.Duration = time.Since(r.start)
	r.rep.Passed = len(r.rep.Steps) > 0 && r.rep.Failed() == nil
}

// stepFunc does one step and says what it saw.
type stepFunc func(ctx context.Context) (detail string, err error)

// hinted carries what the user should do about an error.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: hint}
}

func failf(hint, format string, args ...any) error {
	return withHint(fmt.Errorf(format, args...), hint)
}

// skipped marks a step that did not apply; it counts as passed.
type skipped struct{ reason string }

func (s *skipped) Error() string { return s.reason }

func skip(reason string) error { return &skipped{reason} }

// step runs fn with a deadline of budget, cut at the end of the live phase,
// and records the result. It reports whether the step passed.
func (r *runner) step(ctx context.Context, name string, budget time.Duration, fn stepFunc) bool {
	return r.stepUntil(ctx, name, earliest(time.Now().Add(budget), r.liveEnd), fn)
}

func (r *runner) stepUntil(ctx context.Context, name string, deadline time.Time, fn stepFunc) bool {
	mark := r.logs.mark()
	began := time.Now()
	sctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	var detail string
	var err error
	if !began.Before(deadline) {
		err = withHint(fmt.Errorf("no time left: the check's %s timeout was used up by the steps before", r.opts.Timeout),
			"raise the check's timeout, or look at which earlier step was slow")
	} else {
		detail, err = guard(sctx, fn)
		if err != nil && sctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%w (step deadline of %s reached)", err, deadline.Sub(began).Round(time.Millisecond))
		}
	}
	return r.record(name, began, mark, detail, err)
}

// record adds a step to the report; a failure gets the KINE log lines
// written since mark and a hint.
func (r *runner) record(name string, began time.Time, mark int, detail string, err error) bool {
	s := Step{Name: name, OK: err == nil, Duration: time.Since(began), Detail: detail}
	s.Warning = redact(strings.Join(r.warnings, "; "), r.logs.secrets)
	r.warnings = nil
	var sk *skipped
	var h *hinted
	switch {
	case errors.As(err, &sk):
		s.OK, s.Skipped, s.Detail = true, true, "skipped: "+sk.reason
	case err != nil:
		msg := err.Error()
		if detail != "" {
			msg = detail + ": " + msg
		}
		if lines := r.logs.since(mark, 5); len(lines) > 0 {
			msg += "; KINE logged: " + strings.Join(lines, " | ")
		}
		s.Detail = msg
		switch {
		case errors.As(err, &h):
			s.Hint = h.hint
		case errors.Is(err, context.DeadlineExceeded), strings.Contains(msg, "deadline exceeded"), strings.Contains(msg, "code = Unavailable"):
			s.Hint = "nothing answered in time: check that the NATS servers are up and reachable and that JetStream is healthy (a stream leader, current replicas), then rerun"
		default:
			s.Hint = defaultHint(name)
		}
	}
	s.Detail = redact(s.Detail, r.logs.secrets)
	r.rep.Steps = append(r.rep.Steps, s)
	if r.opts.OnStep != nil {
		r.opts.OnStep(s)
	}
	return s.OK
}

// guard runs fn and turns a panic in it (in our code or KINE's) into the
// step's failure: the provider keeps running, KINE is stopped and the
// check's files are removed as on any other failure.
func guard(ctx context.Context, fn stepFunc) (detail string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = withHint(fmt.Errorf("internal error: the step panicked: %v", p),
				"this is a bug in the provider or in KINE: please report it with this report")
		}
	}()
	return fn(ctx)
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
