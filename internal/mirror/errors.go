package mirror

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrSourceNotFound means the source bucket does not exist where the mirror
// looks for it.
var ErrSourceNotFound = errors.New("source bucket not found")

// ErrSourceUnreachable means nothing answered for the source: its region is
// down, the leaf node or account link is cut, or JetStream is not enabled
// there.
var ErrSourceUnreachable = errors.New("source not reachable")

// ErrNotMirror means the stream is not a mirror of a bucket (and was never
// promoted from one, as far as the server can tell).
var ErrNotMirror = errors.New("not a mirror of a bucket")

// LagError is a mirror behind its source when it must not be.
type LagError struct {
	Mirror string
	Source Source
	// MirrorSeq and SourceSeq are the last sequences of both streams.
	MirrorSeq, SourceSeq uint64
	// Behind is the span of source writes the mirror does not have.
	Behind time.Duration
	// LastActivity is how long ago the mirror last heard from its source,
	// -1 if it never did.
	LastActivity time.Duration
	// MirrorError is what the server says is wrong with the mirror's link.
	MirrorError string
	// Cause is why waiting stopped, when it did.
	Cause error
}

func (e *LagError) Error() string {
	msg := fmt.Sprintf("mirror %q is %d messages behind source %s (mirror at sequence %d, source at %d", e.Mirror, e.SourceSeq-e.MirrorSeq, e.Source, e.MirrorSeq, e.SourceSeq)
	if e.Behind > 0 {
		msg += fmt.Sprintf("; it misses %s of writes", e.Behind.Round(time.Millisecond))
	}
	msg += ")"
	switch {
	case e.LastActivity < 0:
		msg += "; it has not heard from the source yet"
	default:
		msg += fmt.Sprintf("; it last heard from the source %s ago", e.LastActivity.Round(time.Millisecond))
	}
	if e.MirrorError != "" {
		msg += "; the server reports: " + e.MirrorError
	}
	if e.Cause != nil {
		msg += fmt.Sprintf(" (%v)", e.Cause)
	}
	return msg
}

func (e *LagError) Unwrap() error { return e.Cause }

// unreachable reports an error that says nothing answered for the source,
// as opposed to an answer (not found, not permitted).
func unreachable(err error) bool {
	return errors.Is(err, nats.ErrNoResponders) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, jetstream.ErrJetStreamNotEnabled) ||
		errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrDisconnected)
}
