package conformance

import (
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// Advise is the check of a plain bucket that starts nothing: it compares
// the bucket's stream config, as the server returned it, with the bucket
// KINE creates (k3s.Advise: the config KINE passes to nats.go and what
// nats.go turns it into), and reports the endpoint replicas and revHistory
// that make KINE accept the bucket, or the settings that make that
// impossible. No KINE instance, no twin bucket, no request to the server.
// ep is the endpoint KINE would use (servers and credentials); the advice's
// endpoint is it with the bucket's parameters, redacted.
func Advise(bucket string, have jetstream.StreamConfig, ep k3s.Endpoint) *Report {
	began := time.Now()
	replicas, revHistory, blockers, ok := k3s.Advise(have)
	adv := &Advice{Bucket: bucket, Replicas: replicas, RevHistory: revHistory, OK: ok, Blockers: blockers}
	s := Step{Name: StepBucketAdvice, OK: ok}
	if ok {
		ep.Bucket, ep.Replicas, ep.RevHistory = bucket, replicas, revHistory
		adv.Endpoint = ep.Redacted()
		s.Detail = fmt.Sprintf("bucket %s: KINE accepts it with replicas=%d and revHistory=%d", bucket, replicas, revHistory)
	} else {
		var bs []string
		for _, d := range blockers {
			bs = append(bs, d.String())
		}
		s.Detail = fmt.Sprintf("no endpoint makes KINE accept bucket %s as it is (KINE would fail with \"stream name already in use\"): %s", bucket, strings.Join(bs, "; "))
		s.Hint = "change those settings on the bucket, or give k3s a bucket made for KINE"
	}
	s.Duration = time.Since(began)
	return &Report{
		Passed:      ok,
		KineVersion: KineVersion(),
		Steps:       []Step{s},
		Duration:    s.Duration,
		Advice:      adv,
		AdviceOnly:  true,
	}
}
