package mirror

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// probeWait bounds asking for the source: a region that is gone often
// answers at once (no responders), but a half-cut link lets requests time
// out, and a refresh must not hang on it.
const probeWait = 5 * time.Second

// Status is a mirror and its source as the servers see them now.
type Status struct {
	// Config is the mirror's stream as the server has it.
	Config jetstream.StreamConfig
	// Source is what the stream mirrors, read from its config; after
	// promotion the stream no longer says, and it is the spec's source.
	Source Source
	// Promoted is true once the stream mirrors nothing: it owns its subjects.
	Promoted bool

	Values, Bytes, FirstSeq, LastSeq uint64
	LastTime                         time.Time

	// LastActivity is how long ago the mirror last heard from its source;
	// -1 if it never did, 0 once promoted.
	LastActivity time.Duration
	// MirrorError is what the server says is wrong with the mirror's link.
	MirrorError string

	// SourceReachable says the source answered just now; SourceError is
	// why it did not.
	SourceReachable bool
	SourceError     string
	SourceLastSeq   uint64
	SourceSealed    bool
	// SourceBlockers are the source's settings that keep it from being a
	// bucket KINE accepts: a mirror of it could not serve k3s.
	SourceBlockers []k3s.Difference

	// Lag is how many messages the mirror is behind its source: counted
	// from the source when it answered, else the server's last word. 0
	// once promoted.
	Lag uint64
	// LagTime is the span of source writes the mirror does not have, when
	// the source answered; 0 when caught up.
	LagTime time.Duration
}

// SplitBrain reports a promoted mirror whose former source is reachable and
// still writable: a k3s left running against it would write state that the
// promoted copy never sees.
func (s Status) SplitBrain() bool { return s.Promoted && s.SourceReachable && !s.SourceSealed }

// Get reads the mirror named spec.Name through js and, when src is not nil,
// its source (spec.Source.Bucket once promoted) through src. A source that
// does not answer is not an error: it shows in SourceReachable and
// SourceError. A missing mirror is kv.ErrNotFound (wrapped); a stream that
// neither mirrors a bucket nor owns a bucket's subjects is ErrNotMirror.
func Get(ctx context.Context, js, src jetstream.JetStream, spec Spec) (Status, error) {
	// The source first: a mirror read after it is caught up when it has
	// the source's last sequence, however busy the source.
	var srcInfo *jetstream.StreamInfo
	var srcErr error
	if src != nil {
		srcInfo, srcErr = probe(ctx, src, spec.Source.Bucket)
	}
	s, err := js.Stream(ctx, kv.StreamName(spec.Name))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return Status{}, fmt.Errorf("mirror %q: %w", spec.Name, kv.ErrNotFound)
	}
	if err != nil {
		return Status{}, fmt.Errorf("read mirror %q: %w", spec.Name, err)
	}
	info := s.CachedInfo()
	st := Status{
		Config:   info.Config,
		Values:   info.State.Msgs,
		Bytes:    info.State.Bytes,
		FirstSeq: info.State.FirstSeq, LastSeq: info.State.LastSeq, LastTime: info.State.LastTime,
	}
	if source, ok := sourceOf(info.Config); ok {
		st.Source = source
		st.LastActivity = -1
		if m := info.Mirror; m != nil {
			st.LastActivity, st.Lag = m.Active, m.Lag
			if m.Error != nil {
				st.MirrorError = m.Error.Description
			}
		}
	} else if info.Config.Mirror == nil && len(info.Config.Subjects) == 1 && info.Config.Subjects[0] == Subjects(spec.Name) {
		st.Promoted, st.Source = true, spec.Source
	} else {
		return Status{}, fmt.Errorf("stream %s: %w", info.Config.Name, ErrNotMirror)
	}

	switch {
	case src == nil:
		st.SourceError = "no way to reach the source was given"
	case srcErr != nil:
		st.SourceError = srcErr.Error()
	default:
		st.SourceReachable = true
		st.SourceLastSeq, st.SourceSealed = srcInfo.State.LastSeq, srcInfo.Config.Sealed
		st.SourceBlockers = Blockers(srcInfo.Config)
		if !st.Promoted {
			st.Lag = 0
			if st.SourceLastSeq > st.LastSeq {
				st.Lag = st.SourceLastSeq - st.LastSeq
				st.LagTime = max(0, srcInfo.State.LastTime.Sub(st.LastTime))
			}
		}
	}
	if st.Promoted {
		st.Lag, st.LagTime = 0, 0
	}
	return st, nil
}

// probe reads the source's stream, bounded by probeWait. Errors say whether
// the source is missing (ErrSourceNotFound) or did not answer
// (ErrSourceUnreachable).
func probe(ctx context.Context, src jetstream.JetStream, bucket string) (*jetstream.StreamInfo, error) {
	pctx, cancel := context.WithTimeout(ctx, probeWait)
	defer cancel()
	s, err := src.Stream(pctx, kv.StreamName(bucket))
	switch {
	case err == nil:
		return s.CachedInfo(), nil
	case errors.Is(err, jetstream.ErrStreamNotFound):
		return nil, ErrSourceNotFound
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case unreachable(err):
		return nil, fmt.Errorf("%w: %v", ErrSourceUnreachable, err)
	}
	return nil, fmt.Errorf("read source: %w", err)
}

// caughtUpPoll is how often WaitCaughtUp looks again.
const caughtUpPoll = 250 * time.Millisecond

// WaitCaughtUp waits, until ctx ends, for the mirror to have every message
// its source had when last asked. It fails with a *LagError giving the lag
// when ctx ends first, and with ErrSourceUnreachable (wrapped) when the
// source does not answer: a lag cannot be known then.
func WaitCaughtUp(ctx context.Context, js, src jetstream.JetStream, spec Spec) (Status, error) {
	var last Status
	for {
		st, err := Get(ctx, js, src, spec)
		if err != nil {
			if ctx.Err() != nil && last.Config.Name != "" {
				return last, last.lagError(spec, ctx.Err()) // the time ran out during a read
			}
			return st, err
		}
		last = st
		if st.Promoted {
			return st, nil
		}
		if !st.SourceReachable {
			return st, fmt.Errorf("wait for mirror %q to catch up: %w (%s)", spec.Name, ErrSourceUnreachable, st.SourceError)
		}
		if st.Lag == 0 {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, st.lagError(spec, ctx.Err())
		case <-time.After(caughtUpPoll):
		}
	}
}

func (s Status) lagError(spec Spec, cause error) *LagError {
	return &LagError{
		Mirror: spec.Name, Source: spec.Source,
		MirrorSeq: s.LastSeq, SourceSeq: s.SourceLastSeq, Behind: s.LagTime,
		LastActivity: s.LastActivity, MirrorError: s.MirrorError, Cause: cause,
	}
}
