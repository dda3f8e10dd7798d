package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	kineserver "github.com/k3s-io/kine/pkg/server"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Values of the main probe object through its life.
const (
	valueCreated = `{"kind":"ConfigMap","data":{"step":"created"}}`
	valueUpdated = `{"kind":"ConfigMap","data":{"step":"updated"}}`
	valueStale   = `{"kind":"ConfigMap","data":{"step":"stale"}}`
	valueRevived = `{"kind":"ConfigMap","data":{"step":"re-created"}}`
)

// errLostWrite marks a write that succeeded although its precondition was
// stale: never retried.
var errLostWrite = errors.New("a guarded write with a stale revision succeeded")

// hintSemantics is for KINE answering a request shape wrongly.
const hintSemantics = "KINE's answer breaks what the kube-apiserver relies on; check that no other writer uses the bucket's keys, the JetStream cluster is healthy, and the server and KINE versions are supported"

func (p *probe) healthKey(ctx context.Context) (string, error) {
	kv, _, err := get(ctx, p.a.client, kineserver.HealthKey)
	if err != nil {
		return "", err
	}
	if kv == nil {
		return "", failf(hintSemantics, "KINE's health key %s is missing after start; the apiserver's health check would fail", kineserver.HealthKey)
	}
	if string(kv.Value) != kineserver.HealthVal {
		return "", failf(hintSemantics, "health key holds %q, want %q", kv.Value, kineserver.HealthVal)
	}
	return describe(kv), nil
}

func (p *probe) create(ctx context.Context) (string, error) {
	c := p.a.client
	rev, ok, err := create(ctx, c, p.key, valueCreated)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", failf(hintSemantics, "create of new key %s was refused: KINE says it exists (current revision %d)", p.key, rev)
	}
	p.created = rev
	dup, ok, err := create(ctx, c, p.key, valueStale)
	if isConflictError(err) {
		p.r.warnConflict("the duplicate create")
		err = nil
	}
	if err != nil {
		return "", err
	}
	if ok {
		return "", failf(hintSemantics, "a second create of %s succeeded (revision %d): two apiservers could both create one object", p.key, dup)
	}
	return fmt.Sprintf("created %s at revision %d; duplicate create rejected", p.key, rev), nil
}

func (p *probe) get(ctx context.Context) (string, error) {
	var seen string
	err := p.settle(ctx, "a get right after the create", func() error {
		return p.expect(ctx, p.a, p.key, valueCreated, p.created, p.created, &seen)
	})
	if err != nil {
		return "", err
	}
	return seen, nil
}

// expect reads key through k and wants value at the given revisions.
func (p *probe) expect(ctx context.Context, k *kine, key, value string, createRev, modRev int64, seen *string) error {
	kv, _, err := get(ctx, k.client, key)
	if err != nil {
		return err
	}
	*seen = describe(kv)
	if kv == nil || string(kv.Value) != value || kv.CreateRevision != createRev || kv.ModRevision != modRev {
		return failf(hintSemantics, "get returned %s, want %q at create revision %d, mod revision %d", describe(kv), value, createRev, modRev)
	}
	return nil
}

func (p *probe) update(ctx context.Context) (string, error) {
	c := p.a.client
	var rev int64
	err := p.settle(ctx, "an update guarded by the current revision", func() error {
		r, ok, cur, err := update(ctx, c, p.key, valueUpdated, p.created)
		if err != nil {
			return err
		}
		if !ok {
			return failf(hintSemantics, "update guarded by the current mod revision %d failed; KINE returned %s", p.created, describe(cur))
		}
		rev = r
		return nil
	})
	if err != nil {
		return "", err
	}
	if rev <= p.created {
		return "", failf(hintSemantics, "update got revision %d, not after %d", rev, p.created)
	}
	p.updated = rev
	err = p.settle(ctx, "the current value returned with a rejected stale update", func() error {
		_, ok, cur, err := update(ctx, c, p.key, valueStale, p.created)
		if err != nil {
			return err
		}
		if ok {
			return withHint(errLostWrite, "")
		}
		if cur == nil || cur.ModRevision != rev || string(cur.Value) != valueUpdated {
			return failf(hintSemantics, "the rejected stale update returned %s, want the current value at mod revision %d", describe(cur), rev)
		}
		return nil
	})
	if errors.Is(err, errLostWrite) {
		return "", failf(hintSemantics, "an update guarded by the stale mod revision %d succeeded: concurrent apiserver writes would be lost", p.created)
	}
	if err != nil {
		return "", err
	}
	var seen string
	err = p.settle(ctx, "a get right after the update", func() error {
		return p.expect(ctx, p.a, p.key, valueUpdated, p.created, rev, &seen)
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("updated at revision %d; stale update rejected with the current value", rev), nil
}

// rangePaged lists like the apiserver: pages of a prefix with a limit,
// continued from the last key at the first page's revision, plus a count.
func (p *probe) rangePaged(ctx context.Context) (string, error) {
	c := p.a.client
	prefix := p.k("list/")
	var want []string
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		key := prefix + n
		if _, ok, err := create(ctx, c, key, `{"item":"`+n+`"}`); err != nil {
			return "", err
		} else if !ok {
			return "", failf(hintSemantics, "create of list item %s was refused", key)
		}
		want = append(want, key)
	}
	end := clientv3.GetPrefixRangeEnd(prefix)
	var rev, count int64
	err := p.settle(ctx, "a paged list right after the creates", func() error {
		var err error
		rev, count, err = pagedList(ctx, c, prefix, end, want)
		return err
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("listed %d keys in pages of 2 at revision %d; count %d", len(want), rev, count), nil
}

// pagedList lists prefix as the apiserver pages a list, and counts it.
func pagedList(ctx context.Context, c *clientv3.Client, prefix, end string, want []string) (rev, count int64, err error) {
	var got []string
	from := prefix
	for page := 1; ; page++ {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(2)}
		if rev != 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		resp, err := c.Get(ctx, from, opts...)
		if err != nil {
			return 0, 0, fmt.Errorf("list page %d: %w", page, err)
		}
		if rev == 0 {
			rev = resp.Header.GetRevision()
		}
		remaining := int64(len(want) - len(got))
		if resp.More && resp.Count != remaining {
			return 0, 0, failf(hintSemantics, "page %d says %d keys remain, want %d", page, resp.Count, remaining)
		}
		for _, kv := range resp.Kvs {
			got = append(got, string(kv.Key))
		}
		if !resp.More || len(resp.Kvs) == 0 || page > len(want) {
			break
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	if !slices.Equal(got, want) {
		return 0, 0, failf(hintSemantics, "paged list with limit 2 returned %s, want %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
	cnt, err := c.Get(ctx, prefix, clientv3.WithRange(end), clientv3.WithCountOnly())
	if err != nil {
		return 0, 0, fmt.Errorf("count: %w", err)
	}
	if cnt.Count != int64(len(want)) {
		return 0, 0, failf(hintSemantics, "count of %s is %d, want %d", prefix, cnt.Count, len(want))
	}
	return rev, cnt.Count, nil
}

func (p *probe) getAtRevision(ctx context.Context) (string, error) {
	var seen string
	err := p.settle(ctx, "a get at a past revision", func() error {
		kv, _, err := get(ctx, p.a.client, p.key, clientv3.WithRev(p.created))
		if err != nil {
			return err
		}
		seen = describe(kv)
		if kv == nil || string(kv.Value) != valueCreated || kv.ModRevision != p.created {
			return failf(hintSemantics, "get at past revision %d returned %s, want the value created then", p.created, describe(kv))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("revision %d still reads %s", p.created, seen), nil
}

// watch opens an apiserver-style watch (prefix, start revision, previous
// values, progress notifications) at the revision of a put it must replay,
// then deletes the key and expects the live delete event with its previous
// value. Like the apiserver, it watches again from the same revision when
// KINE closes the watch.
// watchAttempts bounds the re-watches: a freshly started KINE replaying a
// bucket of ten thousand objects on a loaded machine closed three in a row.
const watchAttempts = 8

func (p *probe) watch(ctx context.Context) (string, error) {
	c := p.a.client
	prefix := p.k("watch/")
	key := prefix + "object"
	put, ok, err := create(ctx, c, key, `{"watched":true}`)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", failf(hintSemantics, "create of %s was refused", key)
	}

	var del int64
	deleteOnce := func() error {
		if del != 0 {
			return nil
		}
		return p.settle(ctx, "a delete guarded by the current revision", func() error {
			r, ok, cur, err := remove(ctx, c, key, put)
			if err != nil {
				return err
			}
			if !ok {
				return failf(hintSemantics, "delete of %s at its mod revision %d failed; KINE returned %s", key, put, describe(cur))
			}
			del = r
			return nil
		})
	}
	// tick writes a key outside the watched prefix: KINE starts a watch
	// only once it has read up to the bucket's head, and it never reads
	// past a delete marker there; any write moves the head on, as the
	// apiserver's steady writes do in a live cluster.
	ticks := 0
	tick := func() error {
		ticks++
		_, _, err := create(ctx, c, p.k(fmt.Sprintf("tick/%d", ticks)), "{}")
		return err
	}
	var events []*clientv3.Event
	for attempt := 1; ; attempt++ {
		var closed, ticked bool
		events, closed, ticked, err = watchFrom(ctx, c, prefix, put, deleteOnce, tick, func(evs []*clientv3.Event) bool {
			return del != 0 && hasEvent(evs, mvccpb.DELETE, del)
		})
		if ticked {
			p.r.warn("KINE did not start a watch until the next write: it waits to read the bucket's head revision and skips the delete marker a delete leaves there; in a live cluster the next write (leases renew every few seconds) releases it")
		}
		if err != nil {
			return "", fmt.Errorf("waiting for the put at %d and delete at %d, saw %s: %w", put, del, eventList(events), err)
		}
		if !closed {
			break
		}
		if attempt == watchAttempts {
			return "", failf(hintSemantics, "KINE closed the watch from revision %d %d times before it delivered the put and the delete (saw %s)", put, attempt, eventList(events))
		}
		// A KINE still replaying a large bucket drops watchers for a
		// while. The first re-watch nearly always holds (measured on 10k
		// objects: a pause before it changed nothing but the time), so it
		// goes at once; later ones give KINE a growing moment, as the
		// apiserver's re-watch does.
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("watching again from revision %d: %w", put, ctx.Err())
		case <-time.After(time.Duration(attempt-1) * 100 * time.Millisecond):
		}
		p.r.warn("KINE closed a watch without a reason: its watch fan-out drops a watcher that falls behind, as happens while a freshly started KINE replays the bucket's history since the last compaction; the apiserver watches again, as the check did")
		if del != 0 {
			if err := tick(); err != nil {
				return "", err
			}
		}
	}
	if len(events) != 2 || !hasEvent(events, mvccpb.PUT, put) {
		return "", failf(hintSemantics, "watch from revision %d saw %s, want exactly the put at %d and the delete at %d", put, eventList(events), put, del)
	}
	d := events[slices.IndexFunc(events, func(e *clientv3.Event) bool { return e.Type == mvccpb.DELETE })]
	if d.PrevKv == nil || string(d.PrevKv.Value) != `{"watched":true}` {
		return "", failf(hintSemantics, "the delete event has no previous value (%s); the apiserver needs it to tell watchers what was deleted", describe(d.PrevKv))
	}
	return fmt.Sprintf("watch from revision %d saw %s", put, eventList(events)), nil
}

// watchFrom watches prefix from rev, calls created once the watch is
// established, and collects events until done says so. When the watch is
// not established within watchTick, it calls tick once (and says so in
// ticked). closed reports that KINE ended the watch without an error.
func watchFrom(ctx context.Context, c *clientv3.Client, prefix string, rev int64, created, tick func() error, done func([]*clientv3.Event) bool) (events []*clientv3.Event, closed, ticked bool, err error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wch := c.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(rev),
		clientv3.WithPrevKV(), clientv3.WithProgressNotify(), clientv3.WithCreatedNotify())
	first := true
	timer := time.NewTimer(watchTick)
	defer timer.Stop()
	for {
		select {
		case resp, open := <-wch:
			if !open {
				return events, true, ticked, nil
			}
			if err := resp.Err(); err != nil {
				return events, false, ticked, fmt.Errorf("watch: %w", err)
			}
			if resp.Canceled {
				return events, false, ticked, fmt.Errorf("watch canceled: %s", resp.CancelReason)
			}
			events = append(events, resp.Events...)
			if first && resp.Created {
				first = false
				timer.Stop()
				if err := created(); err != nil {
					return events, false, ticked, err
				}
			}
			if done(events) {
				return events, false, ticked, nil
			}
		case <-timer.C:
			if first && !ticked {
				ticked = true
				if err := tick(); err != nil {
					return events, false, ticked, err
				}
			}
		case <-ctx.Done():
			return events, false, ticked, ctx.Err()
		}
	}
}

// watchTick is how long a watch may take to start before the check writes
// to move the bucket's head on.
const watchTick = 500 * time.Millisecond

func hasEvent(evs []*clientv3.Event, t mvccpb.Event_EventType, rev int64) bool {
	for _, e := range evs {
		if e.Type == t && e.Kv != nil && e.Kv.ModRevision == rev {
			return true
		}
	}
	return false
}

func eventList(evs []*clientv3.Event) string {
	if len(evs) == 0 {
		return "no events"
	}
	var s []string
	for _, e := range evs {
		s = append(s, fmt.Sprintf("%s %s@%d", e.Type, e.Kv.Key, e.Kv.ModRevision))
	}
	return strings.Join(s, ", ")
}

func (p *probe) delete(ctx context.Context) (string, error) {
	c := p.a.client
	err := p.settle(ctx, "the current value returned with a rejected stale delete", func() error {
		_, ok, cur, err := remove(ctx, c, p.key, p.created)
		if err != nil {
			return err
		}
		if ok {
			return withHint(errLostWrite, "")
		}
		if cur == nil || cur.ModRevision != p.updated {
			return failf(hintSemantics, "the rejected stale delete returned %s, want the current value at mod revision %d", describe(cur), p.updated)
		}
		return nil
	})
	if errors.Is(err, errLostWrite) {
		return "", failf(hintSemantics, "a delete guarded by the stale mod revision %d succeeded", p.created)
	}
	if err != nil {
		return "", err
	}
	var rev int64
	err = p.settle(ctx, "a delete guarded by the current revision", func() error {
		r, ok, cur, err := remove(ctx, c, p.key, p.updated)
		if err != nil {
			return err
		}
		if !ok {
			return failf(hintSemantics, "delete guarded by the current mod revision %d failed; KINE returned %s", p.updated, describe(cur))
		}
		rev = r
		return nil
	})
	if err != nil {
		return "", err
	}
	p.deleted = rev
	err = p.settle(ctx, "a get right after the delete", func() error {
		kv, _, err := get(ctx, c, p.key)
		if err != nil {
			return err
		}
		if kv != nil {
			return failf(hintSemantics, "after the delete get still returns %s", describe(kv))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("stale delete rejected with the current value; deleted at revision %d", rev), nil
}

func (p *probe) recreate(ctx context.Context) (string, error) {
	c := p.a.client
	var rev int64
	err := p.settle(ctx, "a create of the just deleted key", func() error {
		r, ok, err := create(ctx, c, p.key, valueRevived)
		if err != nil {
			return err
		}
		if !ok {
			return failf(hintSemantics, "create of the deleted key %s was refused (revision %d): a deleted object could not be created again", p.key, r)
		}
		rev = r
		return nil
	})
	if err != nil {
		return "", err
	}
	var seen string
	err = p.settle(ctx, "a get right after the re-create", func() error {
		return p.expect(ctx, p.a, p.key, valueRevived, rev, rev, &seen)
	})
	if err != nil {
		return "", err
	}
	if rev <= p.deleted {
		return "", failf(hintSemantics, "re-create got revision %d, not after the delete at %d", rev, p.deleted)
	}
	p.revived = rev
	return fmt.Sprintf("re-created at revision %d with a new create revision", rev), nil
}
