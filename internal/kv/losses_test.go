package kv

import (
	"testing"
	"time"
)

func TestLosses(t *testing.T) {
	for _, c := range []struct {
		name     string
		was, now Config
		want     []string
	}{
		{"nothing changes", Config{History: 5}, Config{History: 5}, nil},
		{"more history", Config{History: 5}, Config{History: 10}, nil},
		{"less history", Config{History: 10}, Config{History: 5}, []string{"history"}},
		{"default history is 1", Config{History: 3}, Config{}, []string{"history"}},
		{"a ttl where there was none", Config{}, Config{TTL: time.Hour}, []string{"ttl"}},
		{"a shorter ttl", Config{TTL: 2 * time.Hour}, Config{TTL: time.Hour}, []string{"ttl"}},
		{"a longer ttl", Config{TTL: time.Hour}, Config{TTL: 2 * time.Hour}, nil},
		{"no ttl any more", Config{TTL: time.Hour}, Config{}, nil},
		{"a size limit where there was none", Config{MaxBytes: -1}, Config{MaxBytes: 1 << 20}, []string{"max_bytes"}},
		{"a smaller size limit", Config{MaxBytes: 2 << 20}, Config{MaxBytes: 1 << 20}, []string{"max_bytes"}},
		{"no size limit any more", Config{MaxBytes: 1 << 20}, Config{MaxBytes: -1}, nil},
		{"everything at once", Config{History: 10, MaxBytes: -1}, Config{History: 2, TTL: time.Minute, MaxBytes: 1024}, []string{"history", "ttl", "max_bytes"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Losses(c.was, c.now)
			if len(got) != len(c.want) {
				t.Fatalf("Losses = %+v, want settings %v", got, c.want)
			}
			for i, l := range got {
				if l.Setting != c.want[i] || l.Detail == "" {
					t.Errorf("loss %d = %+v, want setting %s with a detail", i, l, c.want[i])
				}
			}
		})
	}
}
