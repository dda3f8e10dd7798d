package conformance

import (
	"context"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// The request shapes below are the kube-apiserver's (storage/etcd3): KINE's
// server recognises exactly these transactions and answers anything else
// with "unsupported".

// create is the apiserver's Create: put only if the key has no revision.
func create(ctx context.Context, c *clientv3.Client, key, val string, opts ...clientv3.OpOption) (rev int64, ok bool, err error) {
	resp, err := c.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, val, opts...)).
		Commit()
	if err != nil {
		return 0, false, fmt.Errorf("create %s: %w", key, err)
	}
	return resp.Header.GetRevision(), resp.Succeeded, nil
}

// update is the apiserver's GuaranteedUpdate: put if the key is still at
// rev, else read its current state.
func update(ctx context.Context, c *clientv3.Client, key, val string, rev int64) (newRev int64, ok bool, cur *mvccpb.KeyValue, err error) {
	resp, err := c.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
		Then(clientv3.OpPut(key, val)).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return 0, false, nil, fmt.Errorf("update %s at revision %d: %w", key, rev, err)
	}
	return resp.Header.GetRevision(), resp.Succeeded, elseKV(resp), nil
}

// remove is the apiserver's Delete with a precondition on the revision.
func remove(ctx context.Context, c *clientv3.Client, key string, rev int64) (delRev int64, ok bool, cur *mvccpb.KeyValue, err error) {
	resp, err := c.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
		Then(clientv3.OpDelete(key)).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return 0, false, nil, fmt.Errorf("delete %s at revision %d: %w", key, rev, err)
	}
	return resp.Header.GetRevision(), resp.Succeeded, elseKV(resp), nil
}

// elseKV is the current key a failed guarded transaction returned.
func elseKV(resp *clientv3.TxnResponse) *mvccpb.KeyValue {
	if resp.Succeeded || len(resp.Responses) == 0 {
		return nil
	}
	rr := resp.Responses[0].GetResponseRange()
	if rr == nil || len(rr.Kvs) == 0 {
		return nil
	}
	return rr.Kvs[0]
}

// get reads one key (nil when absent) as the apiserver's Get does.
func get(ctx context.Context, c *clientv3.Client, key string, opts ...clientv3.OpOption) (*mvccpb.KeyValue, int64, error) {
	resp, err := c.Get(ctx, key, opts...)
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, resp.Header.GetRevision(), nil
	}
	return resp.Kvs[0], resp.Header.GetRevision(), nil
}

// poll calls cond every interval until it reports done, fails, or ctx ends.
func poll(ctx context.Context, interval time.Duration, cond func() (bool, error)) error {
	for {
		done, err := cond()
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

func describe(kv *mvccpb.KeyValue) string {
	if kv == nil {
		return "absent"
	}
	v := string(kv.Value)
	if len(v) > 40 {
		v = fmt.Sprintf("%d bytes", len(kv.Value))
	} else {
		v = fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%s=%s (create %d, mod %d)", kv.Key, v, kv.CreateRevision, kv.ModRevision)
}
