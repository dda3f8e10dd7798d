package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// probe is the state the live steps share: the KINE instances and the
// revisions of the main probe object as it goes through its life.
type probe struct {
	r    *runner
	a, b *kine

	key                                string
	created, updated, deleted, revived int64
}

func (p *probe) k(rel string) string { return p.r.prefix + rel }

// live starts KINE, runs the profile's steps until one fails, and always
// removes the probe keys and stops KINE.
func (r *runner) live(ctx context.Context) {
	p := &probe{r: r}
	p.key = p.k("object")
	started := r.stepUntil(ctx, StepKineStart, earliest(time.Now().Add(startBudget), r.liveEnd), p.start)
	if !started {
		return
	}
	defer func() {
		r.cleanup(ctx, p)
		r.stopAll(p)
	}()

	steps := []struct {
		name string
		fn   stepFunc
	}{
		{StepHealthKey, p.healthKey},
		{StepCreate, p.create},
		{StepGet, p.get},
		{StepUpdate, p.update},
		{StepRange, p.rangePaged},
		{StepGetAtRevision, p.getAtRevision},
		{StepWatch, p.watch},
		{StepDelete, p.delete},
		{StepRecreate, p.recreate},
	}
	if r.opts.Profile == ProfileFull {
		steps = append(steps, []struct {
			name string
			fn   stepFunc
		}{
			{StepLease, p.lease},
			{StepLargeValue, p.largeValue},
			{StepSecondInstance, p.secondInstance},
			{StepConcurrentCreate, p.concurrentCreate},
			{StepCompaction, p.compaction},
		}...)
	}
	for _, s := range steps {
		budget := stepBudget
		if s.name == StepSecondInstance {
			budget = startBudget
		}
		if !r.step(ctx, s.name, budget, s.fn) {
			return
		}
	}
	live := Live{KV: p.a.client, Prefix: p.k("extra/"), r: r}
	for _, s := range r.opts.LiveSteps {
		if !r.step(ctx, s.Name, s.Budget, func(ctx context.Context) (string, error) { return s.Run(ctx, live) }) {
			return
		}
	}
}

func (p *probe) start(ctx context.Context) (string, error) {
	began := time.Now()
	k, err := startKine(ctx, p.r.kineParent, p.r.endpoint, p.r.tls)
	if err != nil {
		return "", p.r.explainStart(err)
	}
	p.a = k
	_, rev, err := get(ctx, k.client, p.key)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("KINE ready on bucket %s in %s at revision %d", p.r.bucket, time.Since(began).Round(time.Millisecond), rev), nil
}

// explainStart adds what to do to the ways KINE fails to start.
func (r *runner) explainStart(err error) error {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "already in use"):
		return withHint(err, "the bucket exists with settings KINE does not create (see the bucket config step): match replicas/revHistory in the endpoint or recreate the bucket")
	case strings.Contains(msg, "authorization violation"), strings.Contains(msg, "authentication"):
		if e := r.t.Endpoint; e.CredsFile == "" && e.ContextFile == "" && e.User == "" && e.Token == "" {
			return withHint(err, "KINE's NATS login was refused: the endpoint carries no credentials, so k3s would be refused the same way. "+
				"Set creds_file to where the KINE user's creds will live on the k3s hosts (the check stands the resource's credentials in for that file)")
		}
		return withHint(err, "KINE's NATS login was refused: check the endpoint's credentials (user/password, token or credentials file)")
	case strings.Contains(msg, "failed to connect"), strings.Contains(msg, "no servers available"):
		return withHint(err, "KINE could not reach the servers named in the endpoint from where the check runs: check the addresses and TLS settings")
	case strings.Contains(msg, "insufficient resources"), strings.Contains(msg, "no suitable peers"):
		return withHint(err, "the bucket's replicas cannot be placed: lower replicas or add JetStream servers")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return withHint(err, "KINE kept retrying: JetStream did not answer its bucket creation or replay in time (cluster without leader, missing permissions or overloaded server); see what KINE logged")
	}
	return err
}

// cleanup deletes every key under the run's prefix the way the apiserver
// deletes objects. It gets time even when the caller's context is done.
func (r *runner) cleanup(ctx context.Context, p *probe) {
	deadline := r.hard
	if ctx.Err() != nil {
		deadline = earliest(deadline, time.Now().Add(cleanupMin))
	}
	r.stepUntil(context.WithoutCancel(ctx), StepCleanup, deadline, func(ctx context.Context) (string, error) {
		// KINE answers lists from its own index, which does not notice a
		// lost server: make sure NATS is there before trusting it.
		if err := r.nc.FlushWithContext(ctx); err != nil {
			return "", withHint(fmt.Errorf("cannot reach NATS to remove the probe keys under %s (%v); some may remain", r.prefix, err),
				fmt.Sprintf("rerun the check when the servers are back, or delete the keys under %s", r.prefix))
		}
		c := p.a.client
		end := clientv3.GetPrefixRangeEnd(r.prefix)
		resp, err := c.Get(ctx, r.prefix, clientv3.WithRange(end))
		if err != nil {
			return "", fmt.Errorf("list probe keys under %s: %w", r.prefix, err)
		}
		deleted := 0
		for _, kv := range resp.Kvs {
			rev := kv.ModRevision
			for try := range 3 {
				_, ok, cur, err := remove(ctx, c, string(kv.Key), rev)
				if isConflictError(err) && try < 2 {
					continue // raced with a lease expiry; look again
				}
				if err != nil {
					return "", err
				}
				if ok {
					deleted++
				}
				if ok || cur == nil {
					break
				}
				rev = cur.ModRevision // changed meanwhile (lease expiry): retry at its revision
			}
		}
		left, err := c.Get(ctx, r.prefix, clientv3.WithRange(end), clientv3.WithCountOnly())
		if err != nil {
			return "", fmt.Errorf("count probe keys left: %w", err)
		}
		if left.Count > 0 {
			return "", fmt.Errorf("%d probe keys are still under %s", left.Count, r.prefix)
		}
		return fmt.Sprintf("deleted %d probe keys under %s; none left", deleted, r.prefix), nil
	})
}

// stopAll stops every KINE instance; it always runs and is bounded by the
// instances' own stop grace.
func (r *runner) stopAll(p *probe) {
	began, mark := time.Now(), r.logs.mark()
	var errs []error
	n := 0
	for _, k := range []*kine{p.b, p.a} {
		if k != nil {
			n++
			if err := k.stop(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	err := errors.Join(errs...)
	detail := fmt.Sprintf("stopped %d KINE instance(s)", n)
	r.record(StepKineStop, began, mark, detail, err)
}

// settleWindow is how long a read-after-write check may take to see the
// write. KINE reads values with JetStream direct gets, which every replica
// of a replicated bucket answers, including a follower that has not applied
// the write yet (nats-server#4710): right after a write, a read may be
// stale. The kube-apiserver sees the same; the check tolerates it briefly
// and says so, and fails only when it persists.
const settleWindow = 2 * time.Second

// settle runs check until it passes or settleWindow ends. A check that
// passes only on a retry is recorded as a warning about what, a check that
// never passes fails with its last error.
func (p *probe) settle(ctx context.Context, what string, check func() error) error {
	began := time.Now()
	first := check()
	if first == nil || ctx.Err() != nil || errors.Is(first, errLostWrite) {
		return first
	}
	err := first
	for tries := 1; time.Since(began) < settleWindow; tries++ {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
		err = check()
		if err == nil {
			p.r.warnStale(what, time.Since(began), tries, first)
			return nil
		}
		if errors.Is(err, errLostWrite) {
			return err
		}
	}
	return err
}

func (r *runner) warnStale(what string, d time.Duration, tries int, first error) {
	why := "on a single replica, which should not happen"
	if r.replicas > 1 {
		why = "KINE reads values with JetStream direct gets, which any replica of a replicated bucket answers, including followers that have not applied the latest write yet, so the kube-apiserver can briefly read stale data"
	}
	r.warn("%s was stale for %s (%d retries; first answer: %v): %s", what, d.Round(time.Millisecond), tries, first, why)
}
