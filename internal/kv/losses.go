package kv

import (
	"fmt"
	"time"
)

// Loss is a change of a bucket's settings that deletes stored data the
// moment the server applies it.
type Loss struct {
	// Setting is the changed setting: "history", "ttl" or "max_bytes".
	Setting string
	// Detail says what is deleted.
	Detail string
}

// Losses lists what changing a bucket from was to now deletes at once:
// fewer revisions per key, a shorter time to live, a smaller size limit.
// Zero and negative values mean what they mean in Config (no limit).
func Losses(was, now Config) []Loss {
	var out []Loss
	if wasH, nowH := max(was.History, 1), max(now.History, 1); nowH < wasH {
		out = append(out, Loss{Setting: "history", Detail: fmt.Sprintf(
			"history goes from %d to %d: every key keeps only its newest %d revisions, and the older ones are deleted at once", wasH, nowH, nowH)})
	}
	if now.TTL > 0 && (was.TTL <= 0 || now.TTL < was.TTL) {
		out = append(out, Loss{Setting: "ttl", Detail: fmt.Sprintf(
			"ttl goes from %s to %s: every value older than %s is deleted at once", showTTL(was.TTL), now.TTL, now.TTL)})
	}
	if now.MaxBytes > 0 && (was.MaxBytes <= 0 || now.MaxBytes < was.MaxBytes) {
		out = append(out, Loss{Setting: "max_bytes", Detail: fmt.Sprintf(
			"max_bytes goes from %s to %d: if the bucket holds more, its oldest values are deleted at once until it fits", showLimit(was.MaxBytes), now.MaxBytes)})
	}
	return out
}

func showTTL(d time.Duration) string {
	if d <= 0 {
		return "none (values never expire)"
	}
	return d.String()
}

func showLimit(n int64) string {
	if n <= 0 {
		return "no limit"
	}
	return fmt.Sprint(n)
}
