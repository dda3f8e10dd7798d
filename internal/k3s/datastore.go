package k3s

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// ErrNoBucket means the datastore's bucket does not exist.
var ErrNoBucket = errors.New("bucket does not exist")

// MismatchError is an existing bucket KINE would refuse: starting against it
// fails with "stream name already in use".
type MismatchError struct {
	Bucket      string
	Differences []Difference
}

func (e *MismatchError) Error() string {
	parts := make([]string, len(e.Differences))
	for i, d := range e.Differences {
		parts[i] = d.String()
	}
	return fmt.Sprintf("bucket %q exists but is not what KINE creates, so KINE would refuse it: %s", e.Bucket, strings.Join(parts, "; "))
}

// EnsureBucket makes bucket exactly as KINE would for an endpoint with these
// replicas and revHistory, or adopts an existing one that already matches.
// An existing bucket that differs is left alone and reported as a
// *MismatchError listing every difference.
func EnsureBucket(ctx context.Context, js jetstream.JetStream, bucket string, replicas, revHistory int) (adopted bool, err error) {
	have, err := bucketStream(ctx, js, bucket)
	switch {
	case errors.Is(err, ErrNoBucket):
		if _, err := kv.CreateExact(ctx, js, BucketConfig(bucket, replicas, revHistory)); err != nil {
			if !kv.Refused(err) {
				return false, fmt.Errorf("create bucket %q: %w (%w)", bucket, err, kv.ErrMayExist)
			}
			return false, fmt.Errorf("create bucket %q: %w", bucket, err)
		}
		return false, nil
	case err != nil:
		return false, err
	}
	if diffs := Compare(have, replicas, revHistory); len(diffs) > 0 {
		return false, &MismatchError{Bucket: bucket, Differences: diffs}
	}
	return true, nil
}

// ErrHistoryTrim: a resize would lower the history the bucket keeps, which
// deletes older revisions of every key at once, and was not allowed to.
var ErrHistoryTrim = errors.New("lowering the history deletes revisions")

// ResizeBucket changes a KINE bucket's replicas and history in place, the
// two settings an endpoint carries, and checks that KINE will accept the
// result with the new endpoint. Lowering the history below what the bucket
// keeps now fails with ErrHistoryTrim unless allowTrim.
func ResizeBucket(ctx context.Context, js jetstream.JetStream, bucket string, replicas, revHistory int, allowTrim bool) error {
	cfg, err := bucketStream(ctx, js, bucket)
	if err != nil {
		return err
	}
	if replicas == 0 {
		replicas = DefaultReplicas
	}
	if revHistory == 0 {
		revHistory = DefaultRevHistory
	}
	if have := int(cfg.MaxMsgsPerSubject); revHistory < have && !allowTrim {
		return fmt.Errorf("bucket %q keeps %d revisions per key; resizing it to %d would delete the older ones of every key at once: %w",
			bucket, have, revHistory, ErrHistoryTrim)
	}
	cfg.Replicas = replicas
	cfg.MaxMsgsPerSubject = int64(revHistory)
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("resize bucket %q to replicas %d, revHistory %d: %w", bucket, replicas, revHistory, err)
	}
	if err := kv.WaitHealthy(ctx, js, bucket, replicas); err != nil {
		return err
	}
	have, err := bucketStream(ctx, js, bucket)
	if err != nil {
		return err
	}
	if diffs := Compare(have, replicas, revHistory); len(diffs) > 0 {
		return &MismatchError{Bucket: bucket, Differences: diffs}
	}
	return nil
}

// DeleteBucket removes the bucket and all the cluster state in it.
func DeleteBucket(ctx context.Context, js jetstream.JetStream, bucket string) error {
	err := js.DeleteKeyValue(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("delete bucket %q: %w", bucket, ErrNoBucket)
	}
	if err != nil {
		return fmt.Errorf("delete bucket %q: %w", bucket, err)
	}
	return nil
}

// BucketReplicas reads the bucket's replicas and history from the server, as
// endpoint parameters, and from the same read what else keeps KINE, started
// with them, from accepting the bucket (drift): one request, not two.
func BucketReplicas(ctx context.Context, js jetstream.JetStream, bucket string) (replicas, revHistory int, drift []Difference, err error) {
	cfg, err := bucketStream(ctx, js, bucket)
	if err != nil {
		return 0, 0, nil, err
	}
	replicas, revHistory = cfg.Replicas, int(cfg.MaxMsgsPerSubject)
	return replicas, revHistory, Compare(cfg, replicas, revHistory), nil
}

func bucketStream(ctx context.Context, js jetstream.JetStream, bucket string) (jetstream.StreamConfig, error) {
	s, err := kv.ReadStream(ctx, js, "KV_"+bucket)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return jetstream.StreamConfig{}, fmt.Errorf("bucket %q: %w", bucket, ErrNoBucket)
	}
	if err != nil {
		return jetstream.StreamConfig{}, fmt.Errorf("read bucket %q: %w", bucket, err)
	}
	return s.CachedInfo().Config, nil
}

// Differences reads the bucket from the server and lists what keeps KINE,
// started with these replicas and revHistory, from accepting it.
func Differences(ctx context.Context, js jetstream.JetStream, bucket string, replicas, revHistory int) ([]Difference, error) {
	cfg, err := bucketStream(ctx, js, bucket)
	if err != nil {
		return nil, err
	}
	return Compare(cfg, replicas, revHistory), nil
}

// Datastores lists the buckets of js's account that hold k3s state: those
// with the description KINE gives every bucket it creates. Nothing on the
// server says whether Terraform protects one (KINE refuses a bucket with
// any metadata of ours), so whoever would delete every stream of an account
// asks this first.
func Datastores(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	var found []string
	lister := js.ListStreams(ctx)
	for info := range lister.Info() {
		if bucket, ok := strings.CutPrefix(info.Config.Name, kv.StreamPrefix); ok && info.Config.Description == KineDescription {
			found = append(found, bucket)
		}
	}
	if err := lister.Err(); err != nil {
		return nil, fmt.Errorf("list the account's buckets: %w", err)
	}
	return found, nil
}
