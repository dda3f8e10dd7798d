package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// leaseTTL is the shortest lease KINE honours (it counts in seconds).
const leaseTTL = 1

// raceKeys is how many keys the two instances race to create.
const raceKeys = 5

// lease grants a lease as the apiserver does for events, attaches it to a
// new key and waits for KINE to expire the key.
func (p *probe) lease(ctx context.Context) (string, error) {
	c := p.a.client
	l, err := c.Grant(ctx, leaseTTL)
	if err != nil {
		return "", fmt.Errorf("grant lease: %w", err)
	}
	key := p.k("lease/object")
	began := time.Now()
	rev, ok, err := create(ctx, c, key, `{"kind":"Event"}`, clientv3.WithLease(l.ID))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", failf(hintSemantics, "create of leased key %s was refused", key)
	}
	err = p.settle(ctx, "a get of the leased key right after its create", func() error {
		kv, _, err := get(ctx, c, key)
		if err != nil {
			return err
		}
		if kv == nil && time.Since(began) > leaseTTL*time.Second {
			return nil // already expired: the wait below confirms it
		}
		if kv == nil || kv.Lease != int64(l.ID) {
			return failf(hintSemantics, "leased key reads %s without lease %d", describe(kv), l.ID)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	// Absent before the TTL can only be a stale read: keep polling.
	err = poll(ctx, 50*time.Millisecond, func() (bool, error) {
		kv, _, err := get(ctx, c, key)
		return kv == nil && time.Since(began) >= leaseTTL*time.Second, err
	})
	if err != nil {
		return "", withHint(fmt.Errorf("key with a %ds lease created at revision %d still present after %s: %w", leaseTTL, rev, time.Since(began).Round(time.Millisecond), err),
			"KINE did not expire a leased key: Kubernetes events would never be removed")
	}
	return fmt.Sprintf("key with a %ds lease created at revision %d expired after %s", leaseTTL, rev, time.Since(began).Round(time.Millisecond)), nil
}

// largeValue stores the biggest object the apiserver writes, incompressible
// so that no compression can hide a payload limit, and reads it back.
func (p *probe) largeValue(ctx context.Context) (string, error) {
	c := p.a.client
	val := make([]byte, LargeObject)
	_, _ = rand.Read(val)
	key := p.k("large/object")
	rev, ok, err := create(ctx, c, key, string(val))
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "payload") {
			return "", withHint(err, fmt.Sprintf("raise the servers' max_payload to at least %d", RequiredMaxPayload))
		}
		return "", err
	}
	if !ok {
		return "", failf(hintSemantics, "create of %s was refused", key)
	}
	err = p.settle(ctx, "a get of the large value right after its create", func() error {
		kv, _, err := get(ctx, c, key)
		if err != nil {
			return err
		}
		if kv == nil || !bytes.Equal(kv.Value, val) {
			return failf(hintSemantics, "the %d-byte value read back as %s", len(val), describe(kv))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	err = p.settle(ctx, "a delete of the large value guarded by its revision", func() error {
		_, ok, cur, err := remove(ctx, c, key, rev)
		if err != nil {
			return err
		}
		if !ok {
			return failf(hintSemantics, "delete of %s at revision %d failed; KINE returned %s", key, rev, describe(cur))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("stored, read back and deleted a %s incompressible value (revision %d)", sizeString(len(val)), rev), nil
}

// secondInstance starts another KINE on the same bucket, as a second k3s
// server does, and checks that each sees the other's writes.
func (p *probe) secondInstance(ctx context.Context) (string, error) {
	began := time.Now()
	b, err := startKine(ctx, p.r.kineParent, p.r.endpoint, p.r.tls)
	if err != nil {
		return "", p.r.explainStart(err)
	}
	p.b = b
	startup := time.Since(began)

	lag, err := seen(ctx, b.client, p.key, p.revived)
	if err != nil {
		return "", withHint(fmt.Errorf("the second instance does not see %s at revision %d: %w", p.key, p.revived, err), hintSemantics)
	}
	key := p.k("second/object")
	rev, ok, err := create(ctx, b.client, key, `{"from":"second"}`)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", failf(hintSemantics, "the second instance could not create %s", key)
	}
	lagBack, err := seen(ctx, p.a.client, key, rev)
	if err != nil {
		return "", withHint(fmt.Errorf("the first instance does not see the second's write of %s at revision %d: %w", key, rev, err), hintSemantics)
	}
	return fmt.Sprintf("second KINE up in %s; it saw the first's write after %s, the first saw its write after %s",
		startup.Round(time.Millisecond), lag.Round(time.Millisecond), lagBack.Round(time.Millisecond)), nil
}

// seen waits until c reads key at mod revision rev and says how long it took.
func seen(ctx context.Context, c *clientv3.Client, key string, rev int64) (time.Duration, error) {
	began := time.Now()
	var last string
	err := poll(ctx, 10*time.Millisecond, func() (bool, error) {
		kv, _, err := get(ctx, c, key)
		last = describe(kv)
		return kv != nil && kv.ModRevision == rev, err
	})
	if err != nil {
		return 0, fmt.Errorf("last read %s: %w", last, err)
	}
	return time.Since(began), nil
}

// concurrentCreate has both instances create the same keys at the same
// moment: for each key exactly one create may win, and both must then read
// the winner's value.
func (p *probe) concurrentCreate(ctx context.Context) (string, error) {
	if p.b == nil {
		return "", errors.New("no second instance")
	}
	clients := []*clientv3.Client{p.a.client, p.b.client}
	conflictErrs := 0
	for i := range raceKeys {
		key := p.k(fmt.Sprintf("race/%d", i))
		var wg sync.WaitGroup
		ready := make(chan struct{})
		oks := make([]bool, len(clients))
		revs := make([]int64, len(clients))
		errs := make([]error, len(clients))
		for j, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				revs[j], oks[j], errs[j] = create(ctx, c, key, fmt.Sprintf(`{"winner":%d}`, j))
			}()
		}
		close(ready)
		wg.Wait()
		for j, err := range errs {
			if isConflictError(err) {
				conflictErrs++
				errs[j] = nil
			}
		}
		if err := errors.Join(errs...); err != nil {
			return "", err
		}
		winners := 0
		win := 0
		for j, ok := range oks {
			if ok {
				winners++
				win = j
			}
		}
		if winners != 1 {
			return "", failf(hintSemantics, "%d of 2 concurrent creates of %s succeeded, want exactly 1", winners, key)
		}
		for j, c := range clients {
			if _, err := seen(ctx, c, key, revs[win]); err != nil {
				return "", withHint(fmt.Errorf("instance %d does not read the winning create of %s at revision %d: %w", j+1, key, revs[win], err), hintSemantics)
			}
			kv, _, err := get(ctx, c, key)
			if err != nil {
				return "", err
			}
			if want := fmt.Sprintf(`{"winner":%d}`, win); kv == nil || string(kv.Value) != want {
				return "", failf(hintSemantics, "instance %d reads %s, want the winner's value %s", j+1, describe(kv), want)
			}
		}
	}
	if conflictErrs > 0 {
		p.r.warnConflict(fmt.Sprintf("%d of %d losing creates", conflictErrs, raceKeys))
	}
	return fmt.Sprintf("%d keys raced by two instances: exactly one create won each, both read the winner", raceKeys), nil
}

// conflictText is how nats-server words a failed expected-last-sequence
// check; KINE passes it through when it does not map the error code.
const conflictText = "wrong last sequence"

// warnConflict notes writes that lost a race and came back as errors.
func (r *runner) warnConflict(what string) {
	r.warn("%s failed with nats-server's %q error instead of KINE's \"key exists\" answer: this KINE does not recognise the error code replicated streams use for it (10164), so the kube-apiserver answers such races (two k3s servers writing one object) with a retryable 500 instead of 409 Conflict/AlreadyExists; no write was lost",
		what, conflictText)
}

// isConflictError tells a lost write race reported as an error from other
// errors.
func isConflictError(err error) bool {
	return err != nil && strings.Contains(err.Error(), conflictText)
}

// compaction compacts as the apiserver does and expects the old revision
// to answer "compacted". It is irreversible for every client of the bucket,
// so it only runs on a scratch bucket.
func (p *probe) compaction(ctx context.Context) (string, error) {
	if !p.r.t.Scratch {
		return "", skip("compaction is irreversible for every client of the bucket, so it only runs on a throwaway bucket (Scratch or RunTwin)")
	}
	c := p.a.client
	key := p.k("compact/object")
	first, ok, err := create(ctx, c, key, `{"v":1}`)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", failf(hintSemantics, "create of %s was refused", key)
	}
	rev := first
	for v := 2; v <= 3; v++ {
		prev := rev
		err := p.settle(ctx, "an update guarded by the current revision", func() error {
			next, ok, cur, err := update(ctx, c, key, fmt.Sprintf(`{"v":%d}`, v), prev)
			if err != nil {
				return err
			}
			if !ok {
				return failf(hintSemantics, "update of %s at revision %d failed; KINE returned %s", key, prev, describe(cur))
			}
			rev = next
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	if _, err := c.Compact(ctx, rev); err != nil {
		return "", fmt.Errorf("compact to revision %d: %w", rev, err)
	}
	began := time.Now()
	err = poll(ctx, 20*time.Millisecond, func() (bool, error) {
		_, _, err := get(ctx, c, key, clientv3.WithRev(first))
		if errors.Is(err, rpctypes.ErrCompacted) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		return "", withHint(fmt.Errorf("after compacting to %d, revision %d did not answer \"compacted\": %w", rev, first, err),
			"KINE did not apply the compaction: the apiserver's watch cache would not learn that old revisions are gone")
	}
	err = p.settle(ctx, "a get after the compaction", func() error {
		kv, _, err := get(ctx, c, key)
		if err != nil {
			return err
		}
		if kv == nil || kv.ModRevision != rev {
			return failf(hintSemantics, "after compaction the current value reads %s, want mod revision %d", describe(kv), rev)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("compacted to revision %d; revision %d answers %q after %s", rev, first, rpctypes.ErrCompacted.Error(), time.Since(began).Round(time.Millisecond)), nil
}
