package k3s

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	kineserver "github.com/k3s-io/kine/pkg/server"
	"github.com/klauspost/compress/s2"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shengdoushi/base58"
)

// Stats is KINE's view of a bucket: what a kube-apiserver using it would see.
type Stats struct {
	// LiveKeys counts keys whose latest revision is not a delete. KINE's
	// bookkeeping keys are left out: its health key (see HealthKey) and the
	// key holding the compact revision.
	LiveKeys int64
	// Revision is the current revision: the stream's last sequence.
	Revision int64
	// CompactRevision is KINE's stored compact revision, 0 if never compacted.
	CompactRevision int64
	// Bytes stored in the stream.
	Bytes uint64
	// HealthKey reports KINE's health key live: KINE has run against the bucket.
	HealthKey bool
}

// KINE's bookkeeping keys, as it names them before encoding.
const (
	healthKey  = kineserver.HealthKey
	compactKey = "compact_rev_key_apiserver" // unexported in KINE's NATS driver
)

const (
	// kineNoRoot is the first token KINE gives keys without a leading '/'.
	kineNoRoot = "meta"
	// kvOperation is the header a KV delete or purge marker carries.
	kvOperation = "KV-Operation"
	// scanBatch bounds the messages buffered client side; Kubernetes
	// objects reach 1.5 MiB, so a large batch could hold a lot of memory.
	scanBatch = 128
	// scanIdle lets the server drop a scan consumer that a cancelled
	// Inspect could not delete.
	scanIdle = 30 * time.Second
)

// Inspect reads Stats without writing to the bucket and without starting
// KINE. It makes throwaway consumers (one, two if the compact revision must
// be read from the key's history), so the identity needs KINE's consumer
// permissions. An empty bucket name means KINE's default. A missing bucket is
// an error wrapping ErrNoBucket.
//
// On a bucket KINE is writing to, the numbers come from moments within the
// call, not from one instant; ctx bounds the call.
func Inspect(ctx context.Context, js jetstream.JetStream, bucket string) (Stats, error) {
	if bucket == "" {
		bucket = DefaultBucket
	}
	if !validBucket.MatchString(bucket) {
		// It would otherwise become part of a subject.
		return Stats{}, fmt.Errorf("inspect bucket %q: %w", bucket, jetstream.ErrInvalidBucketName)
	}
	stream := "KV_" + bucket
	s, err := js.Stream(ctx, stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return Stats{}, fmt.Errorf("inspect bucket %q: %w", bucket, ErrNoBucket)
	}
	if err != nil {
		return Stats{}, fmt.Errorf("inspect bucket %q: %w", bucket, err)
	}
	state := s.CachedInfo().State
	st := Stats{Revision: int64(state.LastSeq), Bytes: state.Bytes}

	// KINE reads only its own bucket's subjects: keys a mirror kept under
	// its source's name are invisible to it, so they are not counted.
	prefix := "$KV." + bucket + "."
	healthSubject := prefix + encodeKey(healthKey)
	compactSubject := prefix + encodeKey(compactKey)

	var (
		rd          recordReader
		live        = map[string]bool{} // latest state per subject: writes during the scan replace earlier ones
		lastSeq     uint64
		compactSeen bool
		compactOK   bool
	)
	err = scan(ctx, js, stream, prefix+">", jetstream.DeliverLastPerSubjectPolicy, func(msg jetstream.Msg, seq uint64) {
		lastSeq = max(lastSeq, seq)
		subject := msg.Subject()
		if subject == compactSubject {
			compactSeen = true
			st.CompactRevision, compactOK = rd.compactRevision(msg)
			return
		}
		if !isKineKey(strings.TrimPrefix(subject, prefix)) {
			return // KINE skips keys it cannot decode
		}
		live[subject] = rd.live(msg)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("inspect bucket %q: %w", bucket, err)
	}
	for subject, ok := range live {
		switch {
		case !ok:
		case subject == healthSubject:
			st.HealthKey = true
		default:
			st.LiveKeys++
		}
	}

	if compactSeen && !compactOK {
		// KINE keeps the last positive compact revision it read from any
		// put on the key, tombstones included, and ignores delete markers
		// and zeros: the latest message alone cannot say what that was.
		st.CompactRevision = 0
		err = scan(ctx, js, stream, compactSubject, jetstream.DeliverAllPolicy, func(msg jetstream.Msg, seq uint64) {
			lastSeq = max(lastSeq, seq)
			if rev, ok := rd.compactRevision(msg); ok {
				st.CompactRevision = rev
			}
		})
		if err != nil {
			return Stats{}, fmt.Errorf("inspect bucket %q: compact revision history: %w", bucket, err)
		}
	}
	// Never report a revision older than a change already counted.
	st.Revision = max(st.Revision, int64(lastSeq))
	return st, nil
}

// scan reads, with one short-lived pull consumer, every message matching
// filter under policy that was pending when the consumer was made, in
// stream order, and hands each with its stream sequence to fn.
func scan(ctx context.Context, js jetstream.JetStream, stream, filter string, policy jetstream.DeliverPolicy, fn func(msg jetstream.Msg, seq uint64)) error {
	cons, err := js.CreateConsumer(ctx, stream, jetstream.ConsumerConfig{
		DeliverPolicy:     policy,
		FilterSubject:     filter,
		AckPolicy:         jetstream.AckNonePolicy,
		MemoryStorage:     true,
		Replicas:          1,
		InactiveThreshold: scanIdle,
	})
	if err != nil {
		return fmt.Errorf("create reading consumer: %w", err)
	}
	info := cons.CachedInfo()
	defer func() {
		// Best effort: after a cancel, or if this fails, the server
		// removes the consumer once it has been idle for scanIdle.
		if ctx.Err() == nil {
			_ = js.DeleteConsumer(ctx, stream, info.Name)
		}
	}()
	pending := info.NumPending
	if pending == 0 {
		return nil
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(scanBatch))
	if err != nil {
		return fmt.Errorf("read consumer %s: %w", info.Name, err)
	}
	defer it.Stop()
	for delivered := uint64(1); ; delivered++ {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("read consumer %s: %w", info.Name, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("read consumer %s: %w", info.Name, err)
		}
		// Without acks a lost delivery is never resent: a gap would make
		// the counts silently wrong.
		if md.Sequence.Consumer != delivered {
			return fmt.Errorf("read consumer %s: delivery %d arrived as %d: a message was lost, retry", info.Name, delivered, md.Sequence.Consumer)
		}
		fn(msg, md.Sequence.Stream)
		// Stop at what was there when the consumer was made, or earlier if
		// the server has nothing more: a busy bucket would never run dry.
		if delivered >= pending || md.NumPending == 0 {
			return nil
		}
	}
}

// recordReader decodes KINE's values (s2-compressed JSON records), reusing
// its buffers across messages.
type recordReader struct {
	s2  *s2.Reader
	buf bytes.Buffer
}

// removed reports a KV delete or purge marker, or a marker the server wrote
// when a limit removed the key.
func removed(msg jetstream.Msg) bool {
	h := msg.Headers()
	return h.Get(kvOperation) != "" || h.Get(jetstream.MarkerReasonHeader) != ""
}

// decode unpacks a record into v. An error means KINE would skip the message.
func (r *recordReader) decode(data []byte, v any) error {
	if r.s2 == nil {
		r.s2 = s2.NewReader(nil)
	}
	r.s2.Reset(bytes.NewReader(data))
	r.buf.Reset()
	if _, err := r.buf.ReadFrom(r.s2); err != nil {
		return err
	}
	return json.Unmarshal(r.buf.Bytes(), v)
}

// live reports a message KINE reads as a present key: a put whose record
// is not a delete tombstone. Only the fields that tell them apart are
// decoded; the empty struct makes the JSON decoder skip the value.
func (r *recordReader) live(msg jetstream.Msg) bool {
	if removed(msg) {
		return false
	}
	var rec struct {
		KV     *struct{} `json:"KV"`
		Delete bool      `json:"Delete"`
	}
	if err := r.decode(msg.Data(), &rec); err != nil || rec.KV == nil {
		return false
	}
	return !rec.Delete
}

// compactRevision reads the compact revision from a put on the compact key:
// "<version>|<revision>" in the record's value. ok is false where KINE
// would not take the value: markers, undecodable records, revisions <= 0.
func (r *recordReader) compactRevision(msg jetstream.Msg) (rev int64, ok bool) {
	if removed(msg) {
		return 0, false
	}
	var rec struct {
		KV *struct {
			Value []byte `json:"Value"`
		} `json:"KV"`
	}
	if err := r.decode(msg.Data(), &rec); err != nil || rec.KV == nil {
		return 0, false
	}
	_, v := kineserver.DecodeVersion(rec.KV.Value)
	rev, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || rev <= 0 {
		return 0, false
	}
	return rev, true
}

// encodeKey is the subject token string KINE stores a key under: each
// '/'-separated segment base58-encoded, joined with '.', with kineNoRoot
// first for keys not starting with '/'. Enough for KINE's fixed keys and
// ordinary registry keys; it does not handle empty segments.
func encodeKey(key string) string {
	var tokens []string
	rest, rooted := strings.CutPrefix(key, "/")
	if !rooted {
		tokens = append(tokens, kineNoRoot)
	}
	for seg := range strings.SplitSeq(rest, "/") {
		tokens = append(tokens, base58.Encode([]byte(seg), base58.BitcoinAlphabet))
	}
	return strings.Join(tokens, ".")
}

// isKineKey reports whether KINE can decode the key part of a subject:
// every token base58 except kineNoRoot markers, and at least one of them.
func isKineKey(tokens string) bool {
	n := 0
	for tok := range strings.SplitSeq(tokens, ".") {
		if tok == kineNoRoot {
			continue
		}
		if _, err := base58.Decode(tok, base58.BitcoinAlphabet); err != nil {
			return false
		}
		n++
	}
	return n > 0
}
