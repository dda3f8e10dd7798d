package k3s

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

func TestEnsureBucketCreatesAdoptsRefuses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js := testnats.JetStream(t, single.URL, nil, "")

	adopted, err := EnsureBucket(ctx, js, "ds_create", 1, 20)
	if err != nil || adopted {
		t.Fatalf("create: adopted %v, err %v", adopted, err)
	}
	// What we made is exactly what KINE makes: its own create call accepts it.
	if _, err := js.CreateKeyValue(ctx, BucketConfig("ds_create", 1, 20)); err != nil {
		t.Fatalf("KINE's create refused the bucket: %v", err)
	}
	if adopted, err = EnsureBucket(ctx, js, "ds_create", 1, 20); err != nil || !adopted {
		t.Fatalf("adopt: adopted %v, err %v", adopted, err)
	}

	// Same bucket, other endpoint params: refused, listing the differences.
	_, err = EnsureBucket(ctx, js, "ds_create", 1, 10)
	var mm *MismatchError
	if !errors.As(err, &mm) || len(mm.Differences) != 1 || mm.Differences[0].Field != "History" {
		t.Fatalf("want a History mismatch, got %v", err)
	}

	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "ds_plain", History: 5, Compression: true}); err != nil {
		t.Fatal(err)
	}
	_, err = EnsureBucket(ctx, js, "ds_plain", 1, 10)
	if !errors.As(err, &mm) || len(mm.Differences) < 3 {
		t.Fatalf("want history, compression and description differences, got %v", err)
	}
	for _, b := range []string{"ds_create", "ds_plain"} {
		if err := DeleteBucket(ctx, js, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := DeleteBucket(ctx, js, "ds_plain"); !errors.Is(err, ErrNoBucket) {
		t.Fatalf("delete of a missing bucket: %v", err)
	}
}

func TestResizeBucketOnCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	if _, err := EnsureBucket(ctx, js, "ds_resize", 1, 10); err != nil {
		t.Fatal(err)
	}
	defer DeleteBucket(ctx, js, "ds_resize")
	if err := ResizeBucket(ctx, js, "ds_resize", 3, 32, false); err != nil {
		t.Fatal(err)
	}
	r, h, drift, err := BucketReplicas(ctx, js, "ds_resize")
	if err != nil || r != 3 || h != 32 || len(drift) != 0 {
		t.Fatalf("after resize: replicas %d history %d drift %v err %v", r, h, drift, err)
	}
	// KINE with the new endpoint accepts the resized bucket.
	if _, err := js.CreateKeyValue(ctx, BucketConfig("ds_resize", 3, 32)); err != nil {
		t.Fatalf("KINE's create refused the resized bucket: %v", err)
	}
	if err := ResizeBucket(ctx, js, "ds_missing", 1, 10, false); !errors.Is(err, ErrNoBucket) {
		t.Fatalf("resize of a missing bucket: %v", err)
	}
	// Fewer revisions delete history: refused unless allowed.
	if err := ResizeBucket(ctx, js, "ds_resize", 3, 5, false); !errors.Is(err, ErrHistoryTrim) {
		t.Fatalf("lowering the history without allowTrim: %v", err)
	}
	if _, h, _, _ := BucketReplicas(ctx, js, "ds_resize"); h != 32 {
		t.Fatalf("a refused trim changed the history to %d", h)
	}
	if err := ResizeBucket(ctx, js, "ds_resize", 3, 5, true); err != nil {
		t.Fatalf("lowering the history with allowTrim: %v", err)
	}
}

func TestDatastoresListsKineBuckets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	if _, err := EnsureBucket(ctx, js, "ds_listed", 1, 10); err != nil {
		t.Fatal(err)
	}
	defer DeleteBucket(ctx, js, "ds_listed")
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "ds_plain_app"}); err != nil {
		t.Fatal(err)
	}
	defer js.DeleteKeyValue(ctx, "ds_plain_app")
	found, err := Datastores(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(found, "ds_listed") || slices.Contains(found, "ds_plain_app") {
		t.Fatalf("Datastores = %v, want ds_listed and not the plain bucket", found)
	}
}
