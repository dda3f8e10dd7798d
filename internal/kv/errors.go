package kv

import (
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrNotFound means the bucket does not exist.
var ErrNotFound = errors.New("bucket not found")

// ErrExists means Create found a bucket of that name already.
var ErrExists = errors.New("bucket already exists")

// serverError shows only the server's own description of a JetStream API
// error (nats.go prefixes codes and "nats: API error"), and still unwraps to
// the original so errors.Is/As keep working.
type serverError struct {
	api *jetstream.APIError
	err error
}

func (e *serverError) Error() string {
	return fmt.Sprintf("%s (JetStream error %d)", e.api.Description, e.api.ErrorCode)
}

func (e *serverError) Unwrap() error { return e.err }

// fromServer maps nats.go errors to this package's: missing streams and
// buckets become ErrNotFound, API errors keep the server's text.
func fromServer(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrBucketNotFound) {
		return ErrNotFound
	}
	var api *jetstream.APIError
	if errors.As(err, &api) && api.Description != "" {
		return &serverError{api: api, err: err}
	}
	return err
}
