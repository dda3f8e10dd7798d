package kv

import (
	"fmt"
	"testing"
)

func BenchmarkCreateGetDelete(b *testing.B) {
	js, ctx := singleJS(b), testContext(b)
	cfg := Config{Name: "bench", History: 5, Metadata: map[string]string{"k": "v"}}
	for i := 0; b.Loop(); i++ {
		cfg.Name = fmt.Sprintf("bench_%d", i)
		if _, err := Create(ctx, js, cfg); err != nil {
			b.Fatal(err)
		}
		if _, err := Get(ctx, js, cfg.Name); err != nil {
			b.Fatal(err)
		}
		if err := Delete(ctx, js, cfg.Name); err != nil {
			b.Fatal(err)
		}
	}
}
