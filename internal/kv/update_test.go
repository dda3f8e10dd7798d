package kv

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestUpdateEachField changes one field at a time and proves the change on
// the server through the raw stream config, not through this package.
func TestUpdateEachField(t *testing.T) {
	t.Parallel()
	base := func(n string) Config {
		return Config{Name: n, Description: "before", History: 5, TTL: time.Hour, MaxValueSize: 512, MaxBytes: 1 << 20,
			RePublish: &RePublish{Source: "$KV." + n + ".>", Destination: "was." + n + ".>"},
			Metadata:  map[string]string{"a": "1", "b": "2"}, LimitMarkerTTL: 2 * time.Second}
	}
	for _, tc := range []struct {
		field  string
		change func(*Config)
		check  func(t *testing.T, sc jetstream.StreamConfig)
	}{
		{"description", func(c *Config) { c.Description = "after" }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "Description", sc.Description, "after")
		}},
		{"description cleared", func(c *Config) { c.Description = "" }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "Description", sc.Description, "")
		}},
		{"history", func(c *Config) { c.History = 64 }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "MaxMsgsPerSubject", sc.MaxMsgsPerSubject, int64(64))
		}},
		{"ttl shorter than duplicate window", func(c *Config) { c.TTL = 30 * time.Second }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "MaxAge", sc.MaxAge, 30*time.Second)
			expect(t, "Duplicates", sc.Duplicates, 30*time.Second)
		}},
		{"ttl off", func(c *Config) { c.TTL = 0 }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "MaxAge", sc.MaxAge, time.Duration(0))
			expect(t, "Duplicates", sc.Duplicates, 2*time.Minute)
		}},
		{"max value size", func(c *Config) { c.MaxValueSize = 4096 }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "MaxMsgSize", sc.MaxMsgSize, int32(4096))
		}},
		{"max value size unlimited", func(c *Config) { c.MaxValueSize = 0 }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "MaxMsgSize", sc.MaxMsgSize, int32(-1))
		}},
		{"max bytes", func(c *Config) { c.MaxBytes = 2 << 20 }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "MaxBytes", sc.MaxBytes, int64(2<<20))
		}},
		{"max bytes unlimited", func(c *Config) { c.MaxBytes = -1 }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "MaxBytes", sc.MaxBytes, int64(-1))
		}},
		{"compression", func(c *Config) { c.Compression = true }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "Compression", sc.Compression, jetstream.S2Compression)
		}},
		{"republish", func(c *Config) { c.RePublish = &RePublish{Source: ">", Destination: "now.>", HeadersOnly: true} },
			func(t *testing.T, sc jetstream.StreamConfig) {
				expect(t, "RePublish", sc.RePublish, &jetstream.RePublish{Source: ">", Destination: "now.>", HeadersOnly: true})
			}},
		{"republish removed", func(c *Config) { c.RePublish = nil }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "RePublish", sc.RePublish, (*jetstream.RePublish)(nil))
		}},
		{"metadata", func(c *Config) { c.Metadata = map[string]string{"b": "3", "c": "4"} }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "user metadata", userKeys(sc.Metadata), map[string]string{"b": "3", "c": "4"})
			if _, ok := sc.Metadata["_nats.req.level"]; !ok {
				t.Errorf("server metadata lost: %v", sc.Metadata)
			}
		}},
		{"metadata removed", func(c *Config) { c.Metadata = nil }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "user metadata", userKeys(sc.Metadata), map[string]string{})
		}},
		{"limit marker ttl", func(c *Config) { c.LimitMarkerTTL = time.Minute }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "SubjectDeleteMarkerTTL", sc.SubjectDeleteMarkerTTL, time.Minute)
		}},
		// The server cannot turn message TTLs off again: markers go, TTLs stay.
		{"limit marker ttl off", func(c *Config) { c.LimitMarkerTTL = 0 }, func(t *testing.T, sc jetstream.StreamConfig) {
			expect(t, "SubjectDeleteMarkerTTL", sc.SubjectDeleteMarkerTTL, time.Duration(0))
			expect(t, "AllowMsgTTL", sc.AllowMsgTTL, true)
		}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			js, ctx := singleJS(t), testContext(t)
			cfg := base(bucketName(t))
			mustCreate(t, js, cfg)
			before := rawConfig(t, js, cfg.Name)
			tc.change(&cfg)
			got, err := Update(ctx, js, cfg)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			after := rawConfig(t, js, cfg.Name)
			tc.check(t, after)
			if fields, _ := Changes(cfg, got); len(fields) > 0 {
				t.Errorf("Update returned a config that differs from the request in %v", fields)
			}
			if read, _ := Get(ctx, js, cfg.Name); !reflect.DeepEqual(read, got) {
				t.Errorf("Get after Update\n %+v\ndiffers from what Update returned\n %+v", read, got)
			}
			// Stream fields a bucket config does not describe stay as they were.
			expect(t, "Subjects", after.Subjects, before.Subjects)
			expect(t, "AllowDirect", after.AllowDirect, before.AllowDirect)
			expect(t, "AllowRollup", after.AllowRollup, before.AllowRollup)
			expect(t, "Discard", after.Discard, before.Discard)
			expect(t, "Storage", after.Storage, before.Storage)
		})
	}
}

func expect[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s on the server = %v, want %v", what, got, want)
	}
}

func userKeys(md map[string]string) map[string]string {
	out := map[string]string{}
	maps.Copy(out, md)
	maps.DeleteFunc(out, func(k, _ string) bool { return strings.HasPrefix(k, "_nats.") })
	return out
}

func TestUpdateStorageRefused(t *testing.T) {
	t.Parallel()
	js := singleJS(t)
	cfg := Config{Name: bucketName(t)}
	mustCreate(t, js, cfg)
	cfg.Storage = "memory"
	_, err := Update(testContext(t), js, cfg)
	if err == nil || !strings.Contains(err.Error(), "storage cannot change in place (file -> memory)") {
		t.Fatalf("Update storage: %v", err)
	}
	expect(t, "Storage", rawConfig(t, js, cfg.Name).Storage, jetstream.FileStorage)
}

// TestReplicasOnSingleServer: the server refuses, and its own words reach
// the caller.
func TestReplicasOnSingleServer(t *testing.T) {
	t.Parallel()
	js, ctx := singleJS(t), testContext(t)
	name := bucketName(t)
	_, err := Create(ctx, js, Config{Name: name, Replicas: 3})
	const serverText = "replicas > 1 not supported in non-clustered mode"
	if err == nil || !strings.HasPrefix(err.Error(), `create bucket "`+name+`": `+serverText) {
		t.Fatalf("Create replicas 3: %v", err)
	}
	var api *jetstream.APIError
	if !errors.As(err, &api) || api.ErrorCode == 0 {
		t.Errorf("server error not reachable with errors.As: %v", err)
	}

	cfg := mustCreate(t, js, Config{Name: name})
	cfg.Replicas = 3
	if _, err := Update(ctx, js, cfg); err == nil || !strings.Contains(err.Error(), serverText) {
		t.Errorf("Update replicas 3: %v", err)
	}
}

// TestReplicasScaleUp grows a bucket from 1 to 3 replicas in the cluster
// and waits for the two followers to catch up.
func TestReplicasScaleUp(t *testing.T) {
	t.Parallel()
	js, ctx := clusterJS(t), testContext(t)
	cfg := mustCreate(t, js, Config{Name: bucketName(t), History: 2})
	kv, err := js.KeyValue(ctx, cfg.Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	cfg.Replicas = 3
	got, err := Update(ctx, js, cfg)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	expect(t, "returned replicas", got.Replicas, 3)
	expect(t, "Replicas", rawConfig(t, js, cfg.Name).Replicas, 3)
	for {
		_, st, err := Status(ctx, js, cfg.Name)
		if err != nil {
			t.Fatalf("Status: %v", err)
		}
		current := 0
		for _, r := range st.Replicas {
			if r.Current {
				current++
			}
		}
		if st.Leader != "" && current == 2 {
			expect(t, "Cluster", st.Cluster, clusterName)
			expect(t, "Values", st.Values, uint64(1))
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("followers never caught up: %+v", st)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestPlacementUpdate sets and clears placement of a bucket in the cluster.
func TestPlacementUpdate(t *testing.T) {
	t.Parallel()
	js, ctx := clusterJS(t), testContext(t)
	cfg := mustCreate(t, js, Config{Name: bucketName(t)})
	cfg.Placement = &Placement{Cluster: clusterName}
	got, err := Update(ctx, js, cfg)
	if err != nil {
		t.Fatalf("Update placement: %v", err)
	}
	expect(t, "returned placement", got.Placement, cfg.Placement)
	expect(t, "Placement", rawConfig(t, js, cfg.Name).Placement, &jetstream.Placement{Cluster: clusterName})

	cfg.Placement = nil
	if got, err = Update(ctx, js, cfg); err != nil {
		t.Fatalf("Update without placement: %v", err)
	}
	expect(t, "returned placement", got.Placement, (*Placement)(nil))
	expect(t, "Placement", rawConfig(t, js, cfg.Name).Placement, (*jetstream.Placement)(nil))
}

// TestScaleAndMove changes replicas and placement in one Update, which the
// server refuses in a single stream update.
func TestScaleAndMove(t *testing.T) {
	t.Parallel()
	js, ctx := clusterJS(t), testContext(t)
	cfg := mustCreate(t, js, Config{Name: bucketName(t)})
	cfg.Replicas = 3
	cfg.Placement = &Placement{Cluster: clusterName}
	got, err := Update(ctx, js, cfg)
	if err != nil {
		t.Fatalf("Update replicas and placement together: %v", err)
	}
	raw := rawConfig(t, js, cfg.Name)
	expect(t, "Replicas", raw.Replicas, 3)
	expect(t, "Placement", raw.Placement, &jetstream.Placement{Cluster: clusterName})
	expect(t, "returned replicas", got.Replicas, 3)
}
