package kv

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestCreateGetRoundTrip creates buckets with every field set and checks
// that Create and Get both return what the server stored, and that this is
// what was asked (after defaults), so a plan after apply is empty.
func TestCreateGetRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc    string
		cluster bool
		cfg     func(name string) Config
		want    func(name string) Config // nil: cfg with defaults filled in
	}{
		{desc: "defaults", cfg: func(n string) Config { return Config{Name: n} },
			want: func(n string) Config {
				return Config{Name: n, History: 1, MaxValueSize: -1, MaxBytes: -1, Storage: "file", Replicas: 1}
			}},
		{desc: "every field", cfg: func(n string) Config {
			return Config{
				Name: n, Description: "all of it", History: 10, TTL: time.Hour, MaxValueSize: 1024, MaxBytes: 1 << 20,
				Storage: "memory", Replicas: 1, Compression: true,
				RePublish:      &RePublish{Source: "$KV." + n + ".>", Destination: "repub." + n + ".>", HeadersOnly: true},
				Metadata:       map[string]string{"team": "infra", "nats.io": "not reserved"},
				LimitMarkerTTL: 5 * time.Second,
			}
		}},
		{desc: "file with compression", cfg: func(n string) Config {
			return Config{Name: n, History: 64, Storage: "file", Compression: true, TTL: 90 * time.Second}
		}},
		{desc: "republish without source", cfg: func(n string) Config {
			return Config{Name: n, RePublish: &RePublish{Destination: "out." + n + ".>"}}
		}, want: func(n string) Config {
			return Config{Name: n, History: 1, MaxValueSize: -1, MaxBytes: -1, Storage: "file", Replicas: 1,
				RePublish: &RePublish{Source: ">", Destination: "out." + n + ".>"}}
		}},
		{desc: "placement in the cluster", cluster: true, cfg: func(n string) Config {
			return Config{Name: n, Replicas: 3, History: 3, Placement: &Placement{Cluster: clusterName}}
		}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			js := singleJS(t)
			if tc.cluster {
				js = clusterJS(t)
			}
			name := bucketName(t)
			cfg := tc.cfg(name)
			want := cfg.WithDefaults()
			if tc.want != nil {
				want = tc.want(name)
			}
			created := mustCreate(t, js, cfg)
			if !reflect.DeepEqual(created, want) {
				t.Errorf("Create returned\n %+v\nwant\n %+v", created, want)
			}
			got, err := Get(testContext(t), js, name)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Get returned\n %+v\nwant\n %+v", got, want)
			}
			if fields, _ := Changes(cfg, got); len(fields) > 0 {
				t.Errorf("read back differs from what was asked in %v", fields)
			}
		})
	}
}

// TestServerMetadataStripped checks that the server's own _nats.* keys are
// on the stream but never reach the caller.
func TestServerMetadataStripped(t *testing.T) {
	t.Parallel()
	js := singleJS(t)
	name := bucketName(t)
	got := mustCreate(t, js, Config{Name: name, Metadata: map[string]string{"owner": "me"}})
	var reserved int
	for k := range rawConfig(t, js, name).Metadata {
		if strings.HasPrefix(k, "_nats.") {
			reserved++
		}
	}
	if reserved == 0 {
		t.Fatal("server added no _nats.* metadata: the test proves nothing")
	}
	if !reflect.DeepEqual(got.Metadata, map[string]string{"owner": "me"}) {
		t.Errorf("metadata = %v, want only the user's key", got.Metadata)
	}
	// Without user metadata the field reads back as nil, not an empty map.
	if got := mustCreate(t, js, Config{Name: name + "_none"}); got.Metadata != nil {
		t.Errorf("metadata = %#v, want nil", got.Metadata)
	}
}

func TestCreateExisting(t *testing.T) {
	t.Parallel()
	js := singleJS(t)
	cfg := Config{Name: bucketName(t), History: 2}
	mustCreate(t, js, cfg)
	// Identical settings: the server would accept the create, we must not.
	_, err := Create(testContext(t), js, cfg)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	if want := `create bucket "` + cfg.Name + `": bucket already exists`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestCreateInvalid(t *testing.T) {
	t.Parallel()
	_, err := Create(testContext(t), singleJS(t), Config{Name: "a.b"})
	if err == nil || !strings.Contains(err.Error(), `"a.b" is invalid`) {
		t.Errorf("Create(a.b) = %v", err)
	}
}

func TestMissingBucket(t *testing.T) {
	t.Parallel()
	js, ctx, name := singleJS(t), testContext(t), bucketName(t)
	if _, err := Get(ctx, js, name); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get: %v, want ErrNotFound", err)
	}
	if _, _, err := Status(ctx, js, name); !errors.Is(err, ErrNotFound) {
		t.Errorf("Status: %v, want ErrNotFound", err)
	}
	if err := Delete(ctx, js, name); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete: %v, want ErrNotFound", err)
	} else if want := `delete bucket "` + name + `": bucket not found`; err.Error() != want {
		t.Errorf("Delete error %q, want %q", err, want)
	}
	if _, err := Update(ctx, js, Config{Name: name}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update: %v, want ErrNotFound", err)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	js, ctx, name := singleJS(t), testContext(t), bucketName(t)
	if _, err := Create(ctx, js, Config{Name: name}); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, js, name); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := js.Stream(ctx, StreamName(name)); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("stream after Delete: %v, want not found", err)
	}
}

// TestNotABucket: a stream named like a bucket but without a per-key limit
// is not mistaken for one.
func TestNotABucket(t *testing.T) {
	t.Parallel()
	js, ctx, name := singleJS(t), testContext(t), bucketName(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: StreamName(name), Subjects: []string{"plain." + name}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = js.DeleteStream(testContext(t), StreamName(name)) })
	_, err := Get(ctx, js, name)
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not a key-value bucket") {
		t.Errorf("Get: %v", err)
	}
}

// TestCreateMatchesNatsGo: a bucket made by Create is exactly what nats.go's
// CreateKeyValue makes, so KINE (which calls CreateKeyValue on every start)
// accepts it, also after an Update that changed nothing.
func TestCreateMatchesNatsGo(t *testing.T) {
	t.Parallel()
	js, ctx := singleJS(t), testContext(t)
	cfg := Config{Name: bucketName(t), Description: "Holds kine key/values", History: 10}
	mustCreate(t, js, cfg)
	if _, err := Update(ctx, js, cfg); err != nil {
		t.Fatalf("Update: %v", err)
	}
	kvc := jetstream.KeyValueConfig{Bucket: cfg.Name, Description: cfg.Description, History: 10, Storage: jetstream.FileStorage, Replicas: 1}
	if _, err := js.CreateKeyValue(ctx, kvc); err != nil {
		t.Errorf("CreateKeyValue on the bucket Create made: %v", err)
	}
}
