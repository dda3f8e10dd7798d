package kv

import (
	"strings"
	"testing"
	"time"
)

func TestStreamName(t *testing.T) {
	if got := StreamName("kine"); got != "KV_kine" {
		t.Errorf("StreamName(kine) = %q", got)
	}
}

func TestValidateName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"kine", true},
		{"Kine_1-x", true},
		{strings.Repeat("a", 252), true},
		{strings.Repeat("a", 253), false},
		{"", false},
		{"a.b", false},
		{"a b", false},
		{"a*", false},
		{"a>", false},
		{"ä", false},
		{"a/b", false},
	} {
		err := ValidateName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		desc string
		cfg  Config
		want string // substring of the error; "" = valid
	}{
		{"zero values", Config{Name: "b"}, ""},
		{"full", Config{Name: "b", History: 64, TTL: time.Hour, MaxValueSize: -1, MaxBytes: -1, Storage: "memory", Replicas: 5,
			LimitMarkerTTL: time.Second, Metadata: map[string]string{"nats.x": "ok"}, RePublish: &RePublish{Destination: "d.>"}}, ""},
		{"bad name", Config{Name: "a.b"}, "invalid"},
		{"history high", Config{Name: "b", History: 65}, "history 65"},
		{"history negative", Config{Name: "b", History: -1}, "history -1"},
		{"ttl negative", Config{Name: "b", TTL: -time.Second}, "ttl"},
		{"max value size", Config{Name: "b", MaxValueSize: -2}, "max value size"},
		{"max bytes", Config{Name: "b", MaxBytes: -2}, "max bytes"},
		{"storage", Config{Name: "b", Storage: "disk"}, `storage "disk"`},
		{"replicas", Config{Name: "b", Replicas: 6}, "replicas 6"},
		{"marker ttl short", Config{Name: "b", LimitMarkerTTL: time.Millisecond}, "limit marker ttl"},
		{"republish without destination", Config{Name: "b", RePublish: &RePublish{Source: ">"}}, "republish destination"},
		{"reserved metadata", Config{Name: "b", Metadata: map[string]string{"_nats.ver": "1"}}, "reserved"},
	} {
		err := tc.cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.desc, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want it to mention %q", tc.desc, err, tc.want)
		}
	}
}

func TestChanges(t *testing.T) {
	base := Config{Name: "b", History: 5, Placement: &Placement{Cluster: "c", Tags: []string{"x", "y"}},
		RePublish: &RePublish{Source: ">", Destination: "d.>"}, Metadata: map[string]string{"k": "v"}}
	for _, tc := range []struct {
		desc    string
		old     Config
		change  func(*Config)
		fields  []string
		replace bool
	}{
		{"identical", base, func(*Config) {}, nil, false},
		{"defaults equal explicit values", Config{Name: "b"},
			func(c *Config) { c.History, c.MaxValueSize, c.MaxBytes, c.Storage, c.Replicas = 1, -1, -1, "file", 1 }, nil, false},
		{"empty metadata equals none", Config{Name: "b"}, func(c *Config) { c.Metadata = map[string]string{} }, nil, false},
		{"empty placement equals none", Config{Name: "b"}, func(c *Config) { c.Placement = &Placement{} }, nil, false},
		{"tag order ignored", base, func(c *Config) { c.Placement = &Placement{Cluster: "c", Tags: []string{"y", "x"}} }, nil, false},
		{"empty republish source is >", base, func(c *Config) { c.RePublish = &RePublish{Destination: "d.>"} }, nil, false},
		{"name", base, func(c *Config) { c.Name = "other" }, []string{"name"}, true},
		{"storage", base, func(c *Config) { c.Storage = "memory" }, []string{"storage"}, true},
		{"in place fields", base, func(c *Config) {
			c.Description = "d"
			c.History = 6
			c.TTL = time.Minute
			c.MaxValueSize = 10
			c.MaxBytes = 100
			c.Replicas = 3
			c.Compression = true
			c.Placement = nil
			c.RePublish.HeadersOnly = true
			c.Metadata = map[string]string{"k": "w"}
			c.LimitMarkerTTL = time.Second
		}, []string{"description", "history", "ttl", "max_value_size", "max_bytes", "replicas", "compression",
			"placement", "republish", "metadata", "limit_marker_ttl"}, false},
		{"storage and history", base, func(c *Config) { c.Storage, c.History = "memory", 2 }, []string{"storage", "history"}, true},
	} {
		n := tc.old
		if n.RePublish != nil {
			rp := *n.RePublish
			n.RePublish = &rp
		}
		tc.change(&n)
		fields, replace := Changes(tc.old, n)
		if strings.Join(fields, ",") != strings.Join(tc.fields, ",") || replace != tc.replace {
			t.Errorf("%s: Changes = %v, %v; want %v, %v", tc.desc, fields, replace, tc.fields, tc.replace)
		}
	}
}
