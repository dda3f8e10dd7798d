package kv

import (
	"errors"
	"reflect"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// One listing holds every bucket with the settings Get reads; a bucket
// missing from it (deleted since, or never listed) is asked for alone, so a
// deleted bucket is reported as Get reports it, and a change made after the
// listing is not hidden when the bucket is asked for again.
func TestListAndGetListed(t *testing.T) {
	ctx := testContext(t)
	js := singleJS(t)
	a, b := bucketName(t), bucketName(t)
	for _, n := range []string{a, b} {
		if _, err := Create(ctx, js, Config{Name: n, History: 3, Storage: StorageMemory}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = Delete(ctx, js, n) })
	}
	listed, err := List(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{a, b} {
		if listed[StreamName(n)] == nil {
			t.Fatalf("listing misses bucket %s", n)
		}
		got, err := GetListed(ctx, js, listed, n)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Get(ctx, js, n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GetListed(%s) = %+v, Get = %+v", n, got, want)
		}
	}

	if err := Delete(ctx, js, b); err != nil {
		t.Fatal(err)
	}
	delete(listed, StreamName(b))
	if _, err := GetListed(ctx, js, listed, b); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetListed of a deleted bucket missing from the listing: %v, want ErrNotFound", err)
	}
	// A listing never holds a stream that is not a bucket.
	listed[StreamName("notkv")] = &jetstream.StreamInfo{Config: jetstream.StreamConfig{Name: StreamName("notkv")}}
	if _, err := GetListed(ctx, js, listed, "notkv"); err == nil {
		t.Error("GetListed accepted a stream without a per-subject limit")
	}
}
