package kv

import (
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrNotFound means the bucket does not exist.
var ErrNotFound = errors.New("bucket not found")

// ErrExists means Create found a bucket of that name already.
var ErrExists = errors.New("bucket already exists")

// ErrMayExist marks a failed create after which the bucket may exist all
// the same: the request went out and no refusal came back (a timeout, a
// cancelled apply), or the bucket was made and could not be read back.
// Whoever tracks buckets must go on tracking this one.
var ErrMayExist = errors.New("the bucket may have been created on the server")

// Refused says whether err proves the request had no effect: the server
// answered with a refusal, or no JetStream server was there to take it.
func Refused(err error) bool {
	var api *jetstream.APIError
	return (errors.As(err, &api) && api.ErrorCode != 0) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrJetStreamNotEnabled)
}

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
