package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	kinenats "github.com/k3s-io/kine/pkg/drivers/nats"
	kineserver "github.com/k3s-io/kine/pkg/server"
	"github.com/nats-io/nats.go/jetstream"
)

// kineRecord is one message of a bucket as KINE reads it: the decoded key,
// the operation, and the fields of KINE's record that make an etcd key
// value (the value itself kept as a string so records compare with ==).
type kineRecord struct {
	key       string
	op        jetstream.KeyValueOp
	deleted   bool // KINE's tombstone: a put of a record marked deleted
	createRev int64
	lease     int64
	value     string
}

func (k kineRecord) String() string {
	switch {
	case k.op != jetstream.KeyValuePut:
		return fmt.Sprintf("%s %s", k.op, k.key)
	case k.deleted:
		return fmt.Sprintf("tombstone of %s (created at %d)", k.key, k.createRev)
	}
	v := fmt.Sprintf("%q", k.value)
	if len(k.value) > 40 {
		v = fmt.Sprintf("%d bytes", len(k.value))
	}
	return fmt.Sprintf("%s=%s (created at %d, lease %d)", k.key, v, k.createRev, k.lease)
}

// readAttempts bounds readKineRetrying: a stream that has just changed
// replicas or leader can answer a new consumer with "no responders" for a
// moment.
const readAttempts = 3

// readKineRetrying is readKine, tried again after a pause when it fails
// while ctx still has time.
func readKineRetrying(ctx context.Context, js jetstream.JetStream, bucket, runID string, from, to uint64) (map[uint64]kineRecord, error) {
	var err error
	for attempt := 1; ; attempt++ {
		var out map[uint64]kineRecord
		if out, err = readKine(ctx, js, bucket, runID, from, to); err == nil || attempt == readAttempts || ctx.Err() != nil {
			return out, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
		}
	}
}

// readQuiet is how long readKine waits for the watcher's last deliveries
// after stopping it, so that none is left blocked.
const readQuiet = 200 * time.Millisecond

// readKine reads the messages of bucket from sequence from to to through
// KINE's own watcher, which decodes keys and values with KINE's codecs, and
// decodes each record as KINE's backend does. Messages KINE cannot decode
// are left out, as KINE leaves them out.
func readKine(ctx context.Context, js jetstream.JetStream, bucket, runID string, from, to uint64) (map[uint64]kineRecord, error) {
	nkv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	status, err := nkv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	out := map[uint64]kineRecord{}
	// Nothing past the bucket's last message will come.
	if to = min(to, status.(*jetstream.KeyValueBucketStatus).StreamInfo().State.LastSeq); to < from {
		return out, nil
	}
	// KINE's key-value layer, unstarted: its Watch reads the stream
	// directly, and nothing here writes.
	kv := kinenats.NewKeyValue("conformance "+runID, &sync.WaitGroup{}, nkv, js, 0, nil)
	w, err := kv.Watch(ctx, "", "", int64(from))
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	defer func() {
		_ = w.Stop()
		// Take what was already on its way, so KINE's delivery goroutine
		// is not left blocked on a full channel.
		for {
			select {
			case <-w.Updates():
			case <-time.After(readQuiet):
				return
			}
		}
	}()
	for {
		select {
		case e := <-w.Updates():
			if e == nil {
				continue
			}
			seq := e.Revision()
			if seq > to {
				return out, nil
			}
			rec, err := decodeRecord(e)
			if err != nil {
				return nil, fmt.Errorf("bucket %s, revision %d: %w", bucket, seq, err)
			}
			out[seq] = rec
			if seq == to {
				return out, nil
			}
		case err := <-w.Err():
			return nil, fmt.Errorf("bucket %s: %w", bucket, err)
		case <-ctx.Done():
			return nil, fmt.Errorf("bucket %s: read up to revision %d, stopped after %d messages: %w", bucket, to, len(out), ctx.Err())
		}
	}
}

// decodeRecord reads a KINE record as its backend does: the create
// revision is the message's own for a create, else the record's.
func decodeRecord(e jetstream.KeyValueEntry) (kineRecord, error) {
	rec := kineRecord{key: e.Key(), op: e.Operation()}
	if rec.op != jetstream.KeyValuePut {
		return rec, nil
	}
	var nd struct {
		KV     *kineserver.KeyValue `json:"KV"`
		Create bool                 `json:"Create"`
		Delete bool                 `json:"Delete"`
	}
	if err := json.NewDecoder(bytes.NewReader(e.Value())).Decode(&nd); err != nil {
		return rec, fmt.Errorf("KINE cannot decode the record of %s: %w", rec.key, err)
	}
	if nd.KV == nil {
		return rec, fmt.Errorf("the record of %s holds no key value", rec.key)
	}
	rec.deleted, rec.lease, rec.value = nd.Delete, nd.KV.Lease, string(nd.KV.Value)
	rec.createRev = nd.KV.CreateRevision
	if nd.Create || rec.createRev == 0 {
		rec.createRev = int64(e.Revision())
	}
	return rec, nil
}
