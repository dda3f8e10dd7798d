package mirror

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

func TestValidate(t *testing.T) {
	src := Source{Bucket: "kine"}
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"same name, same domain", Spec{Name: "kine", Source: src}, "needs another name"},
		{"same name, source domain spelled as the mirror's", Spec{Name: "kine", Domain: "a", Source: Source{Bucket: "kine", Domain: "a"}}, "needs another name"},
		{"bad name", Spec{Name: "a.b", Source: src}, "name: bucket name"},
		{"bad source", Spec{Name: "m", Source: Source{Bucket: ""}}, "source bucket: bucket name is empty"},
		{"domain and prefix", Spec{Name: "m", Source: Source{Bucket: "kine", Domain: "a", APIPrefix: "JS.x.API"}}, "not both"},
		{"deliver prefix alone", Spec{Name: "m", Source: Source{Bucket: "kine", DeliverPrefix: "d"}}, "needs an API prefix"},
		{"replicas", Spec{Name: "m", Source: src, Replicas: 6}, "replicas 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
	for _, ok := range []Spec{
		{Name: "kine", Domain: "leaf", Source: Source{Bucket: "kine", Domain: "hub"}},
		{Name: "kine", Source: Source{Bucket: "kine", Domain: "hub"}},
		{Name: "kine", Source: Source{Bucket: "kine", APIPrefix: "JS.a.API", DeliverPrefix: "d"}},
		{Name: "copy", Source: src, Replicas: 3},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", ok, err)
		}
	}
}

// The mirror's stream config is KINE's bucket once the mirror part is taken
// away: the derivation is checked against KINE's own config, not against
// itself.
func TestStreamConfigPromotesToKINEsBucket(t *testing.T) {
	source := k3s.StreamConfig("kine", 3, 20)
	for _, tc := range []struct {
		name      string
		spec      Spec
		same      bool
		external  *jetstream.ExternalStream
		transform bool
	}{
		{"across domains, same name", Spec{Name: "kine", Source: Source{Bucket: "kine", Domain: "hub"}}, false,
			&jetstream.ExternalStream{APIPrefix: "$JS.hub.API"}, false},
		{"across domains, new name", Spec{Name: "back", Source: Source{Bucket: "kine", Domain: "hub"}}, false,
			&jetstream.ExternalStream{APIPrefix: "$JS.hub.API"}, true},
		{"same domain", Spec{Name: "copy", Source: Source{Bucket: "kine"}}, true, nil, true},
		{"other account", Spec{Name: "kine", Source: Source{Bucket: "kine", APIPrefix: "JS.a.API", DeliverPrefix: "dlv.a"}}, false,
			&jetstream.ExternalStream{APIPrefix: "JS.a.API", DeliverPrefix: "dlv.a"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.Replicas = 1
			spec.Placement = &kv.Placement{Cluster: "east"}
			cfg, err := StreamConfig(spec, source, tc.same)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Subjects) != 0 || cfg.MirrorDirect || cfg.Mirror == nil || cfg.Mirror.Name != "KV_kine" {
				t.Errorf("not a plain mirror of KV_kine: subjects %v, mirror direct %v, mirror %+v", cfg.Subjects, cfg.MirrorDirect, cfg.Mirror)
			}
			if !reflect.DeepEqual(cfg.Mirror.External, tc.external) {
				t.Errorf("external = %+v, want %+v", cfg.Mirror.External, tc.external)
			}
			if got := len(cfg.Mirror.SubjectTransforms) == 1; got != tc.transform {
				t.Errorf("subject transform %v, want %v", cfg.Mirror.SubjectTransforms, tc.transform)
			} else if got && (cfg.Mirror.SubjectTransforms[0].Source != "$KV.kine.>" || cfg.Mirror.SubjectTransforms[0].Destination != "$KV."+spec.Name+".>") {
				t.Errorf("subject transform %+v", cfg.Mirror.SubjectTransforms[0])
			}
			if cfg.Placement == nil || cfg.Placement.Cluster != "east" {
				t.Errorf("placement %+v", cfg.Placement)
			}
			// History and description come from the source: nats.go's
			// defaults (history 1, no description) would lose revisions.
			if got := k3s.Compare(Promoted(cfg), 1, 20); len(got) != 0 {
				t.Errorf("promoted config differs from KINE's bucket for replicas 1, history 20: %v", got)
			}
			if d := KineDifferences(cfg); len(d) != 0 {
				t.Errorf("KineDifferences = %v", d)
			}
			src, ok := sourceOf(cfg)
			want := spec.Source
			if tc.same {
				want.Domain = ""
			}
			if !ok || src != want {
				t.Errorf("sourceOf = %+v, %v; want %+v", src, ok, want)
			}
		})
	}
}

// A source that is not a KINE bucket is refused with every setting in the
// way; one that only lives elsewhere (placement, replicas) or was sealed
// after a failover is fine. The configs are read back from a real server.
func TestBlockers(t *testing.T) {
	js := testnats.JetStream(t, single.URL, nil, "")
	ctx := testContext(t)
	for _, tc := range []struct {
		name   string
		kv     func(*jetstream.KeyValueConfig)
		stream func(*jetstream.StreamConfig)
		want   []string
	}{
		{name: "KINE's bucket"},
		{name: "sealed after a failover", stream: func(c *jetstream.StreamConfig) { c.Sealed = true }},
		{name: "TTL", kv: func(c *jetstream.KeyValueConfig) { c.TTL = time.Hour }, want: []string{"TTL"}},
		{name: "compression", kv: func(c *jetstream.KeyValueConfig) { c.Compression = true }, want: []string{"Compression"}},
		{name: "limit markers", kv: func(c *jetstream.KeyValueConfig) { c.LimitMarkerTTL = time.Minute }, want: []string{"LimitMarkerTTL", "AllowMsgTTL"}},
		{name: "history 1", kv: func(c *jetstream.KeyValueConfig) { c.History = 1 }, want: []string{"History"}},
		{name: "nats.go's default description", kv: func(c *jetstream.KeyValueConfig) { c.Description = "" }, want: []string{"Description"}},
		{name: "memory", kv: func(c *jetstream.KeyValueConfig) { c.Storage = jetstream.MemoryStorage }, want: []string{"Storage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bucket := uniq("blk")
			cfg := k3s.BucketConfig(bucket, 1, 10)
			if tc.kv != nil {
				tc.kv(&cfg)
			}
			if _, err := js.CreateKeyValue(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = js.DeleteKeyValue(ctx, bucket) })
			st, err := js.Stream(ctx, kv.StreamName(bucket))
			if err != nil {
				t.Fatal(err)
			}
			if tc.stream != nil {
				sc := st.CachedInfo().Config
				tc.stream(&sc)
				if st, err = js.UpdateStream(ctx, sc); err != nil {
					t.Fatal(err)
				}
			}
			var fields []string
			for _, d := range Blockers(st.CachedInfo().Config) {
				fields = append(fields, d.Field)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(fields, " "), w) {
					t.Errorf("blockers %v lack %s", fields, w)
				}
			}
			if len(tc.want) == 0 && len(fields) > 0 {
				t.Errorf("blockers %v, want none", fields)
			}
			_, err = StreamConfig(Spec{Name: "m", Source: Source{Bucket: bucket}}, st.CachedInfo().Config, true)
			var blocked *BlockedError
			if got := errors.As(err, &blocked); got != (len(tc.want) > 0) {
				t.Errorf("StreamConfig error %v, want blocked %v", err, len(tc.want) > 0)
			}
		})
	}
}
