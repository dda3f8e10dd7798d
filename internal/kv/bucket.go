package kv

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/nats-io/nats.go/jetstream"
)

// Create makes a new bucket and returns its settings as the server stored
// them. It fails with ErrExists if the bucket is already there, even with
// identical settings (the server would otherwise accept the create quietly
// and Terraform would adopt a bucket it did not make).
func Create(ctx context.Context, js jetstream.JetStream, cfg Config) (Config, error) {
	return create(ctx, js, cfg, nil)
}

// create is Create; stream, when not nil, receives the stream config read
// back.
func create(ctx context.Context, js jetstream.JetStream, cfg Config, stream *jetstream.StreamConfig) (Config, error) {
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("create bucket: %w", err)
	}
	switch _, err := ReadStream(ctx, js, StreamName(cfg.Name)); {
	case err == nil:
		return Config{}, fmt.Errorf("create bucket %q: %w", cfg.Name, ErrExists)
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return Config{}, fmt.Errorf("create bucket %q: look for an existing bucket: %w", cfg.Name, fromServer(err))
	}
	if _, err := CreateExact(ctx, js, keyValueConfig(cfg)); err != nil {
		switch {
		case errors.Is(err, jetstream.ErrBucketExists):
			// Made by someone else since the check above.
			return Config{}, fmt.Errorf("create bucket %q: %w", cfg.Name, ErrExists)
		case Refused(err):
			return Config{}, fmt.Errorf("create bucket %q: %w", cfg.Name, fromServer(err))
		}
		return Config{}, fmt.Errorf("create bucket %q: %w (%w)", cfg.Name, fromServer(err), ErrMayExist)
	}
	info, err := streamInfo(ctx, js, cfg.Name)
	if err != nil {
		return Config{}, fmt.Errorf("read back created bucket: get bucket %q: %w (%w)", cfg.Name, err, ErrMayExist)
	}
	if stream != nil {
		*stream = info.Config
	}
	return fromStream(info.Config), nil
}

// Get reads a bucket's settings from its stream. It returns ErrNotFound
// (wrapped) when the bucket does not exist.
func Get(ctx context.Context, js jetstream.JetStream, name string) (Config, error) {
	info, err := streamInfo(ctx, js, name)
	if err != nil {
		return Config{}, fmt.Errorf("get bucket %q: %w", name, err)
	}
	return fromStream(info.Config), nil
}

// Update changes a bucket in place and returns the server's settings after
// the update. Fields of the stream that a bucket config does not describe
// (subjects, mirror, sources, message TTLs) are kept as they are. Storage
// cannot change in place; a different name is a different bucket.
func Update(ctx context.Context, js jetstream.JetStream, cfg Config) (Config, error) {
	return update(ctx, js, cfg, nil)
}

// update is Update; stream, when not nil, receives the server's stream
// config after the update.
func update(ctx context.Context, js jetstream.JetStream, cfg Config, stream *jetstream.StreamConfig) (Config, error) {
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("update bucket: %w", err)
	}
	info, err := streamInfo(ctx, js, cfg.Name)
	if err != nil {
		return Config{}, fmt.Errorf("update bucket %q: %w", cfg.Name, err)
	}
	want := cfg.WithDefaults()
	if have := storageName(info.Config.Storage); have != want.Storage {
		return Config{}, fmt.Errorf("update bucket %q: storage cannot change in place (%s -> %s): the bucket must be re-created", cfg.Name, have, want.Storage)
	}
	next := applyTo(info.Config, cfg)
	if next.Replicas != info.Config.Replicas && !reflect.DeepEqual(next.Placement, info.Config.Placement) {
		// JetStream refuses to move and scale a stream in one update: scale
		// where it is first, then move it with everything else.
		scaled := info.Config
		scaled.Replicas = next.Replicas
		if _, err := js.UpdateStream(ctx, scaled); err != nil {
			return Config{}, fmt.Errorf("update bucket %q: scale to %d replicas before moving it: %w", cfg.Name, next.Replicas, fromServer(err))
		}
		if err := WaitHealthy(ctx, js, cfg.Name, next.Replicas); err != nil {
			return Config{}, fmt.Errorf("update bucket %q: %w", cfg.Name, err)
		}
	}
	var s jetstream.Stream
	err = retryWhile(ctx, func() (err error) {
		s, err = js.UpdateStream(ctx, next)
		return err
	}, errCodeReconfiguring)
	if err != nil {
		return Config{}, fmt.Errorf("update bucket %q: %w", cfg.Name, fromServer(err))
	}
	if stream != nil {
		*stream = s.CachedInfo().Config
	}
	return fromStream(s.CachedInfo().Config), nil
}

// Delete removes a bucket and all its keys. It returns ErrNotFound (wrapped)
// when the bucket does not exist.
func Delete(ctx context.Context, js jetstream.JetStream, name string) error {
	if err := ValidateName(name); err != nil {
		return fmt.Errorf("delete bucket: %w", err)
	}
	if err := js.DeleteKeyValue(ctx, name); err != nil {
		return fmt.Errorf("delete bucket %q: %w", name, fromServer(err))
	}
	return nil
}

// streamInfo fetches the stream behind bucket name and checks that it is
// shaped like a bucket.
func streamInfo(ctx context.Context, js jetstream.JetStream, name string) (*jetstream.StreamInfo, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	s, err := js.Stream(ctx, StreamName(name))
	if err != nil {
		return nil, fromServer(err)
	}
	info := s.CachedInfo()
	if err := bucketShaped(info); err != nil {
		return nil, err
	}
	return info, nil
}

// bucketShaped checks that a stream is shaped like a bucket: every bucket
// keeps at least one value per key; a stream without a per-subject limit
// was not made as a bucket.
func bucketShaped(info *jetstream.StreamInfo) error {
	if info.Config.MaxMsgsPerSubject < 1 {
		return fmt.Errorf("stream %s is not a key-value bucket", info.Config.Name)
	}
	return nil
}
