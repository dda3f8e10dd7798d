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

// PromoteOptions say how careful a promotion is while the source answers.
type PromoteOptions struct {
	// SealSource makes a reachable source read-only before the mirror is
	// promoted (a planned switchover): writes stop, the mirror takes the
	// last of them, and no write can land in the old copy afterwards.
	SealSource bool
	// AllowLagging promotes a mirror that is behind its reachable source;
	// the writes it misses are lost to the promoted bucket.
	AllowLagging bool
	// Grace is how long to wait for a mirror slightly behind a live source
	// before calling it lagging; 0 means catchUpGrace.
	Grace time.Duration
}

// catchUpGrace is how long a promotion waits for a mirror slightly behind a
// live source before it calls it lagging: a healthy mirror is never more
// than a moment behind.
const catchUpGrace = 10 * time.Second

// Promotion is what Promote did.
type Promotion struct {
	Status
	// Sealed says this promotion sealed the source.
	Sealed bool
	// Lost is how many messages of the reachable source the promoted
	// bucket does not have (only with AllowLagging).
	Lost uint64
}

// Promote turns the mirror into a bucket of its own, keeping every sequence
// number (KINE's revisions): the mirror configuration is removed, the bucket
// gets its own subjects, mirror-direct and placement are dropped, and the
// result is checked against what KINE creates.
//
// When the source does not answer (its region is lost) the mirror is
// promoted with what it has. When it answers, the mirror must first catch
// up: with SealSource the source is sealed first, so that nothing more can
// be written there; a mirror still behind is refused with a *LagError
// unless AllowLagging. A promoted mirror is left as it is.
func Promote(ctx context.Context, js, src jetstream.JetStream, spec Spec, opts PromoteOptions) (Promotion, error) {
	st, err := Get(ctx, js, src, spec)
	if err != nil {
		return Promotion{}, fmt.Errorf("promote mirror: %w", err)
	}
	p := Promotion{Status: st}
	if st.Promoted {
		return p, nil
	}
	if st.SourceReachable {
		if st, err = settle(ctx, js, src, spec, opts, &p); err != nil {
			return p, fmt.Errorf("promote mirror %q: %w", spec.Name, err)
		}
	}
	if _, err := kv.UpdateStream(ctx, js, Promoted(st.Config)); err != nil {
		return p, fmt.Errorf("promote mirror %q: %w", spec.Name, err)
	}
	if err := kv.WaitHealthy(ctx, js, spec.Name, st.Config.Replicas); err != nil {
		return p, fmt.Errorf("promote mirror %q: %w", spec.Name, err)
	}
	if p.Status, err = Get(ctx, js, src, spec); err != nil {
		return p, fmt.Errorf("promote mirror %q: read back: %w", spec.Name, err)
	}
	if diffs := KineDifferences(p.Config); len(diffs) > 0 {
		return p, fmt.Errorf("mirror %q was promoted, but KINE would refuse the bucket: %s", spec.Name, k3s.Describe(diffs))
	}
	return p, nil
}

// settle brings a mirror of a reachable source to the source's last write
// before promotion: it waits a moment for it and, if asked, seals the
// source and waits for the last writes. A mirror behind the source is
// refused with a *LagError unless lagging is allowed; the source is sealed
// only once the mirror has caught up (or lagging is allowed), so a refused
// promotion leaves the source writable.
func settle(ctx context.Context, js, src jetstream.JetStream, spec Spec, opts PromoteOptions, p *Promotion) (Status, error) {
	st, err := waitAWhile(ctx, js, src, spec, opts.Grace)
	if err != nil {
		return st, err
	}
	if st.Lag > 0 && !opts.AllowLagging {
		return st, st.lagError(spec, nil)
	}
	if opts.SealSource && !st.SourceSealed {
		if err := Seal(ctx, src, spec.Source.Bucket); err != nil {
			return st, fmt.Errorf("seal the source before promotion: %w", err)
		}
		p.Sealed = true
		// Nothing more is written to the source: the mirror can reach its
		// last sequence exactly.
		if st, err = waitAWhile(ctx, js, src, spec, opts.Grace); err != nil {
			return st, err
		}
	}
	if st.Lag > 0 && !opts.AllowLagging {
		err := st.lagError(spec, nil)
		return st, fmt.Errorf("%w; the source is sealed now: apply again once the mirror has caught up", err)
	}
	p.Lost = st.Lag
	return st, nil
}

// waitAWhile waits up to grace (catchUpGrace when 0) for the mirror to
// catch up. Still lagging then is not an error: the status says how far
// behind it is.
func waitAWhile(ctx context.Context, js, src jetstream.JetStream, spec Spec, grace time.Duration) (Status, error) {
	if grace <= 0 {
		grace = catchUpGrace
	}
	gctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	st, err := WaitCaughtUp(gctx, js, src, spec)
	var lag *LagError
	if errors.As(err, &lag) && ctx.Err() == nil {
		return st, nil
	}
	return st, err
}

// Seal makes bucket read-only for good (the server cannot unseal a
// stream): after a failover, the former source must take no more writes.
// Sealing a sealed bucket does nothing. A missing bucket is
// ErrSourceNotFound (wrapped).
func Seal(ctx context.Context, js jetstream.JetStream, bucket string) error {
	info, err := probe(ctx, js, bucket)
	if err != nil {
		return fmt.Errorf("seal bucket %q: %w", bucket, err)
	}
	if info.Config.Sealed {
		return nil
	}
	cfg := info.Config
	cfg.Sealed = true
	if _, err := kv.UpdateStream(ctx, js, cfg); err != nil {
		return fmt.Errorf("seal bucket %q: %w", bucket, err)
	}
	return nil
}
