package kv

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"
)

// ReadStream looks a stream up, retrying for a few seconds while the
// servers have not yet enabled JetStream for a just-pushed account (an
// account and its bucket, datastore or mirror made in one apply). Other
// errors, not found among them, return at once. Creates use it for their
// first look; refreshes do not, so that an account without JetStream fails
// them at once.
func ReadStream(ctx context.Context, js jetstream.JetStream, name string) (jetstream.Stream, error) {
	var s jetstream.Stream
	err := retryWhile(ctx, func() (err error) {
		s, err = js.Stream(ctx, name)
		return err
	}, errCodeNotEnabledForAcct, errCodeAccountNotFound)
	return s, err
}
