// Package testkine writes k3s-like state through KINE's etcd API and checks
// it back, for tests and benchmarks of datastores that move between places
// (mirrors, promotion, failback): what a kube-apiserver wrote before must
// read the same afterwards, revisions included.
package testkine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Entry is a live key as KINE returns it.
type Entry struct {
	Value       string
	Create, Mod int64
}

// Event is one change, as a watch delivers it.
type Event struct {
	Type mvccpb.Event_EventType
	Key  string
	Rev  int64
}

func (e Event) String() string { return fmt.Sprintf("%s %s@%d", e.Type, e.Key, e.Rev) }

// Dataset is what Write left under a prefix.
type Dataset struct {
	Prefix string
	// Live holds every key that exists after the writes.
	Live map[string]Entry
	// Deleted are keys written and then deleted.
	Deleted []string
	// Events are every change, in revision order.
	Events []Event
	// LeaseKey was written with a lease (still live: the lease is long).
	LeaseKey string
}

// leaseTTL keeps the lease key alive for any test's length.
const leaseTTL = 3600

// Write creates n keys under prefix as the apiserver does (create only if
// absent), updates every third, deletes every seventh, and writes one key
// with a lease.
func Write(ctx context.Context, c *clientv3.Client, prefix string, n int) (Dataset, error) {
	ds := Dataset{Prefix: prefix, Live: map[string]Entry{}}
	key := func(i int) string { return fmt.Sprintf("%sobj-%04d", prefix, i) }
	for i := range n {
		k, v := key(i), fmt.Sprintf(`{"kind":"ConfigMap","data":{"i":"%d"}}`, i)
		resp, err := c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(k), "=", 0)).Then(clientv3.OpPut(k, v)).Commit()
		if err != nil || !resp.Succeeded {
			return ds, fmt.Errorf("create %s: succeeded %v, %w", k, resp != nil && resp.Succeeded, err)
		}
		rev := resp.Header.Revision
		ds.Live[k] = Entry{Value: v, Create: rev, Mod: rev}
		ds.Events = append(ds.Events, Event{mvccpb.PUT, k, rev})
	}
	for i := 0; i < n; i += 3 {
		k, e := key(i), ds.Live[key(i)]
		v := strings.Replace(e.Value, `"}}`, `","updated":"yes"}}`, 1)
		// KINE takes only the apiserver's transaction shapes: a guarded
		// put or delete falls back to reading the key.
		resp, err := c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(k), "=", e.Mod)).Then(clientv3.OpPut(k, v)).Else(clientv3.OpGet(k)).Commit()
		if err != nil || !resp.Succeeded {
			return ds, fmt.Errorf("update %s: %w", k, err)
		}
		e.Value, e.Mod = v, resp.Header.Revision
		ds.Live[k] = e
		ds.Events = append(ds.Events, Event{mvccpb.PUT, k, e.Mod})
	}
	for i := 1; i < n; i += 7 {
		k := key(i)
		resp, err := c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(k), "=", ds.Live[k].Mod)).Then(clientv3.OpDelete(k)).Else(clientv3.OpGet(k)).Commit()
		if err != nil || !resp.Succeeded {
			return ds, fmt.Errorf("delete %s: %w", k, err)
		}
		delete(ds.Live, k)
		ds.Deleted = append(ds.Deleted, k)
		ds.Events = append(ds.Events, Event{mvccpb.DELETE, k, resp.Header.Revision})
	}
	lease, err := c.Grant(ctx, leaseTTL)
	if err != nil {
		return ds, fmt.Errorf("grant lease: %w", err)
	}
	ds.LeaseKey = prefix + "lease"
	v := `{"kind":"Lease"}`
	resp, err := c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(ds.LeaseKey), "=", 0)).
		Then(clientv3.OpPut(ds.LeaseKey, v, clientv3.WithLease(lease.ID))).Commit()
	if err != nil || !resp.Succeeded {
		return ds, fmt.Errorf("create %s with a lease: %w", ds.LeaseKey, err)
	}
	rev := resp.Header.Revision
	ds.Live[ds.LeaseKey] = Entry{Value: v, Create: rev, Mod: rev}
	ds.Events = append(ds.Events, Event{mvccpb.PUT, ds.LeaseKey, rev})
	return ds, nil
}

// Check reads the prefix through c and wants exactly the live keys of ds,
// with their values and create and mod revisions, and none of the deleted.
func Check(ctx context.Context, c *clientv3.Client, ds Dataset) error {
	resp, err := c.Get(ctx, ds.Prefix, clientv3.WithPrefix())
	if err != nil {
		return fmt.Errorf("list %s: %w", ds.Prefix, err)
	}
	got := map[string]Entry{}
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = Entry{Value: string(kv.Value), Create: kv.CreateRevision, Mod: kv.ModRevision}
	}
	var errs []error
	for k, want := range ds.Live {
		if g, ok := got[k]; !ok {
			errs = append(errs, fmt.Errorf("%s is missing", k))
		} else if g != want {
			errs = append(errs, fmt.Errorf("%s is %+v, want %+v", k, g, want))
		}
	}
	for _, k := range ds.Deleted {
		if _, ok := got[k]; ok {
			errs = append(errs, fmt.Errorf("deleted %s is back", k))
		}
	}
	if len(got) != len(ds.Live) {
		errs = append(errs, fmt.Errorf("%d keys under %s, want %d", len(got), ds.Prefix, len(ds.Live)))
	}
	return errors.Join(errs...)
}

// CheckWatch watches the prefix from the revision of the i-th event, as an
// apiserver resumes a watch, and wants every event from there on, in order.
// When KINE closes the watch (a freshly started KINE still replaying drops
// watchers that fall behind), it watches again from the next revision it
// has not seen, as the apiserver does, a few times.
func CheckWatch(ctx context.Context, c *clientv3.Client, ds Dataset, i int) error {
	const attempts = 8
	want := ds.Events[i:]
	var got []Event
	for attempt := 1; len(got) < len(want); attempt++ {
		from := want[0].Rev
		if len(got) > 0 {
			from = got[len(got)-1].Rev + 1
		}
		closed, err := watchInto(ctx, c, ds.Prefix, from, &got, len(want))
		if err != nil {
			return err
		}
		if !closed {
			break
		}
		if attempt == attempts {
			return fmt.Errorf("watch from revision %d closed %d times, after %d of %d events", want[0].Rev, attempt, len(got), len(want))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("watch from revision %d replayed %v, want %v", want[0].Rev, got, want)
	}
	return nil
}

// watchInto appends the events of one watch from revision from to got
// until it holds n; closed says KINE ended the watch first.
func watchInto(ctx context.Context, c *clientv3.Client, prefix string, from int64, got *[]Event, n int) (closed bool, err error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wch := c.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(from))
	for len(*got) < n {
		select {
		case resp, ok := <-wch:
			if !ok {
				return true, nil
			}
			if err := resp.Err(); err != nil {
				return false, fmt.Errorf("watch from revision %d: %w", from, err)
			}
			for _, e := range resp.Events {
				*got = append(*got, Event{e.Type, string(e.Kv.Key), e.Kv.ModRevision})
			}
		case <-ctx.Done():
			return false, fmt.Errorf("watch from revision %d: %d of %d events: %w", from, len(*got), n, ctx.Err())
		}
	}
	return false, nil
}
