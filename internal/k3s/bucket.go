package k3s

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// kvDuplicates is the duplicate window nats.go's CreateKeyValue sets on a
// bucket without TTL; the server compares it like any other field.
const kvDuplicates = 2 * time.Minute

// BucketConfig is exactly the KV config KINE passes to CreateKeyValue on
// every start. Zero arguments mean what KINE does when the endpoint leaves
// them out: bucket "kine", 1 replica, history 10.
func BucketConfig(bucket string, replicas, revHistory int) jetstream.KeyValueConfig {
	bucket, replicas, revHistory = kineDefaults(bucket, replicas, revHistory)
	return jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: KineDescription,
		History:     uint8(revHistory),
		Replicas:    replicas,
	}
}

func kineDefaults(bucket string, replicas, revHistory int) (string, int, int) {
	if bucket == "" {
		bucket = DefaultBucket
	}
	if replicas == 0 {
		replicas = DefaultReplicas
	}
	if revHistory == 0 {
		revHistory = DefaultRevHistory
	}
	return bucket, replicas, revHistory
}

// kineStream is the stream config the server ends up comparing when KINE
// creates the bucket: what nats.go turns BucketConfig into (it sets every
// limit explicitly, so the server's defaults add nothing to it).
func kineStream(bucket string, replicas, revHistory int) jetstream.StreamConfig {
	bucket, replicas, revHistory = kineDefaults(bucket, replicas, revHistory)
	return jetstream.StreamConfig{
		Name:              "KV_" + bucket,
		Description:       KineDescription,
		Subjects:          []string{"$KV." + bucket + ".>"},
		Retention:         jetstream.LimitsPolicy,
		MaxConsumers:      -1,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		Discard:           jetstream.DiscardNew,
		MaxMsgsPerSubject: int64(revHistory),
		MaxMsgSize:        -1,
		Storage:           jetstream.FileStorage,
		Replicas:          replicas,
		Duplicates:        kvDuplicates,
		AllowRollup:       true,
		DenyDelete:        true,
		AllowDirect:       true,
		Compression:       jetstream.NoCompression,
	}
}

// Difference is one setting of an existing bucket that is not what KINE
// would create. Field is the KeyValueConfig name where the setting has one
// (History, TTL, MaxValueSize, LimitMarkerTTL, Replicas, Storage, ...),
// otherwise the StreamConfig field name (AllowDirect, Discard, ...).
type Difference struct {
	Field, Have, Want string
}

func (d Difference) String() string {
	return fmt.Sprintf("%s is %s, KINE wants %s", d.Field, d.Have, d.Want)
}

// kvNames relabels stream fields that a KV bucket calls something else.
var kvNames = map[string]string{
	"MaxMsgsPerSubject":      "History",
	"MaxAge":                 "TTL",
	"MaxMsgSize":             "MaxValueSize",
	"SubjectDeleteMarkerTTL": "LimitMarkerTTL",
}

// Compare lists every difference between an existing bucket's stream config
// (as StreamInfo reports it) and the one KINE creates for (replicas,
// revHistory), 0 meaning KINE's default. Empty means KINE's CreateKeyValue
// succeeds on this bucket instead of failing with "stream name already in
// use".
//
// The server accepts a create for an existing stream only if the whole
// config is deeply equal, after filling its defaults (nats.go already sends
// them all for a KV) and ignoring its own _nats.* metadata. nats.go's
// fallback for old buckets (retry as an update when only Discard or
// AllowDirect differ) compares against the info's config including that
// metadata, so on the servers KINE supports it never fires: those two count
// as differences too.
func Compare(have jetstream.StreamConfig, replicas, revHistory int) []Difference {
	bucket, ok := strings.CutPrefix(have.Name, "KV_")
	want := kineStream(bucket, replicas, revHistory)
	var diffs []Difference
	if !ok {
		diffs = append(diffs, Difference{Field: "Name", Have: have.Name, Want: "KV_<bucket>"})
		want.Name = have.Name
	}
	have = normalize(have)
	hv, wv := reflect.ValueOf(have), reflect.ValueOf(want)
	t := hv.Type()
	for i := range t.NumField() {
		h, w := hv.Field(i), wv.Field(i)
		if reflect.DeepEqual(h.Interface(), w.Interface()) {
			continue
		}
		name := t.Field(i).Name
		if kv, ok := kvNames[name]; ok {
			name = kv
		}
		diffs = append(diffs, Difference{Field: name, Have: show(h), Want: show(w)})
	}
	return diffs
}

// normalize drops what the server adds or spells differently without it
// being a setting: _nats.* metadata, and empty collections.
func normalize(c jetstream.StreamConfig) jetstream.StreamConfig {
	var md map[string]string
	for k, v := range c.Metadata {
		if strings.HasPrefix(k, "_nats.") {
			continue
		}
		if md == nil {
			md = map[string]string{}
		}
		md[k] = v
	}
	c.Metadata = md
	if c.Placement != nil && reflect.DeepEqual(*c.Placement, jetstream.Placement{}) {
		c.Placement = nil
	}
	if len(c.Subjects) == 0 {
		c.Subjects = nil
	}
	if len(c.Sources) == 0 {
		c.Sources = nil
	}
	return c
}

// show renders a setting for a message.
func show(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case time.Duration:
		return x.String()
	case fmt.Stringer:
		return x.String()
	case string:
		return strconv.Quote(x)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if v.IsNil() {
			return "none"
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Struct:
		b, err := json.Marshal(v.Interface())
		if err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v.Interface())
}

// Advise says which endpoint replicas and revHistory make KINE accept an
// existing bucket. When no endpoint can (ok false), blockers are the
// settings that would have to change on the bucket first: compression, TTL,
// limits, memory storage, a foreign description, republish, placement, a
// history outside 2..64, and so on.
func Advise(have jetstream.StreamConfig) (replicas, revHistory int, blockers []Difference, ok bool) {
	replicas, revHistory = have.Replicas, int(have.MaxMsgsPerSubject)
	if replicas == 0 {
		replicas = DefaultReplicas // a config not yet filled in by the server
	}
	if replicas < MinReplicas || replicas > MaxReplicas {
		blockers = append(blockers, Difference{Field: "Replicas", Have: strconv.Itoa(replicas), Want: fmt.Sprintf("%d..%d", MinReplicas, MaxReplicas)})
	}
	if revHistory < MinRevHistory || revHistory > MaxRevHistory {
		blockers = append(blockers, Difference{Field: "History", Have: strconv.FormatInt(have.MaxMsgsPerSubject, 10), Want: fmt.Sprintf("%d..%d", MinRevHistory, MaxRevHistory)})
	}
	for _, d := range Compare(have, replicas, revHistory) {
		if d.Field != "Replicas" && d.Field != "History" {
			blockers = append(blockers, d)
		}
	}
	return replicas, revHistory, blockers, len(blockers) == 0
}
