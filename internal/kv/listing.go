package kv

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// bucketSubjects matches the subjects of every bucket's stream, so that a
// listing filtered by it holds the account's buckets and little else.
const bucketSubjects = "$KV.>"

// List returns the info of every stream with bucket subjects that js can
// see, by stream name: one STREAM.LIST request per page of 256 streams in
// place of one STREAM.INFO per bucket. A stream it misses (one created while
// it pages, a bucket that mirrors another and has no subjects of its own, a
// stream the server reports offline) is simply absent: GetListed then asks
// for it alone.
func List(ctx context.Context, js jetstream.JetStream) (map[string]*jetstream.StreamInfo, error) {
	l := js.ListStreams(ctx, jetstream.WithStreamListSubject(bucketSubjects))
	out := map[string]*jetstream.StreamInfo{}
	for info := range l.Info() {
		out[info.Config.Name] = info
	}
	if err := l.Err(); err != nil && !errors.Is(err, jetstream.ErrEndOfData) {
		return nil, fmt.Errorf("list buckets: %w", fromServer(err))
	}
	return out, nil
}

// GetListed is Get, served from listed when it holds the bucket's stream.
// A bucket absent from the listing is asked for alone, so a bucket deleted
// (or never listed) is reported exactly as Get reports it.
func GetListed(ctx context.Context, js jetstream.JetStream, listed map[string]*jetstream.StreamInfo, name string) (Config, error) {
	info, ok := listed[StreamName(name)]
	if !ok {
		return Get(ctx, js, name)
	}
	if err := ValidateName(name); err != nil {
		return Config{}, fmt.Errorf("get bucket %q: %w", name, err)
	}
	if err := bucketShaped(info); err != nil {
		return Config{}, fmt.Errorf("get bucket %q: %w", name, err)
	}
	return fromStream(info.Config), nil
}

// Bucket is a bucket's settings with the stream config they were read from,
// for callers that compare the stream with what KINE would make.
type Bucket struct {
	Config Config
	Stream jetstream.StreamConfig
}

// CreateBucket is Create, also returning the stream config read back.
func CreateBucket(ctx context.Context, js jetstream.JetStream, cfg Config) (Bucket, error) {
	var b Bucket
	c, err := create(ctx, js, cfg, &b.Stream)
	b.Config = c
	return b, err
}

// UpdateBucket is Update, also returning the stream config the server
// answered with.
func UpdateBucket(ctx context.Context, js jetstream.JetStream, cfg Config) (Bucket, error) {
	var b Bucket
	c, err := update(ctx, js, cfg, &b.Stream)
	b.Config = c
	return b, err
}
