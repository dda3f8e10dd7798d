package conformance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// twinDeleteBudget is kept back from the check's timeout for deleting the
// twin.
const twinDeleteBudget = 5 * time.Second

// RunTwin checks a plain (application) bucket without touching it: it
// creates a temporary twin bucket with identical settings, runs Run against
// the twin as a scratch bucket with the endpoint params k3s.Advise derives
// from the bucket, deletes the twin (always, also on failure or timeout),
// and adds the advice to the report. js is used to read the bucket and to
// create and delete the twin; nc runs the check as in Run. The identity of
// t must be allowed the twin's subjects (KV_<bucket>_ct_<run>); the
// bucket's own subjects are probed without writing to them.
func RunTwin(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, bucket string, t Target, opts Options) *Report {
	opts = opts.withDefaults()
	secrets := append([]string{t.Endpoint.Password, t.Endpoint.Token}, credsSecrets(t.Creds)...)
	tw := &runner{nc: nc, opts: opts, start: time.Now(), runID: newRunID(), logs: &logSink{secrets: secrets}, rep: &Report{
		Profile:     opts.Profile,
		KineVersion: KineVersion(),
	}}
	if nc != nil {
		tw.rep.ServerVersion = nc.ConnectedServerVersion()
	}
	defer tw.finish()
	hard := tw.start.Add(opts.Timeout)
	if js == nil && nc != nil {
		var err error
		if js, err = jetstream.New(nc); err != nil {
			tw.record(StepBucketAdvice, time.Now(), 0, "", fmt.Errorf("jetstream context: %w", err))
			return tw.rep
		}
	}

	var orig jetstream.StreamConfig
	var adv *Advice
	ok := tw.stepUntil(ctx, StepBucketAdvice, earliest(time.Now().Add(stepBudget), hard), func(ctx context.Context) (string, error) {
		s, err := js.Stream(ctx, "KV_"+bucket)
		if err != nil {
			return "", failf("check the bucket name and that the provider's identity can read it", "read bucket %s: %v", bucket, err)
		}
		orig = s.CachedInfo().Config
		replicas, revHistory, blockers, ok := k3s.Advise(orig)
		adv = &Advice{Bucket: bucket, Replicas: replicas, RevHistory: revHistory, OK: ok, Blockers: blockers}
		tw.rep.Advice = adv
		if !ok {
			var bs []string
			for _, d := range blockers {
				bs = append(bs, d.String())
			}
			return "", failf("change those settings on the bucket, or give k3s a bucket made for KINE",
				"no endpoint makes KINE accept bucket %s as it is (KINE would fail with \"stream name already in use\"): %s", bucket, strings.Join(bs, "; "))
		}
		ep := t.Endpoint
		ep.Bucket, ep.Replicas, ep.RevHistory = bucket, replicas, revHistory
		adv.Endpoint = ep.Redacted()
		return fmt.Sprintf("bucket %s: KINE accepts it with replicas=%d and revHistory=%d", bucket, replicas, revHistory), nil
	})
	if !ok {
		return tw.rep
	}

	// The bucket's own subjects, probed harmlessly with the check's identity.
	tw.bucket = bucket
	tw.t = t
	tw.stepUntil(ctx, StepBucketPermissions, earliest(time.Now().Add(stepBudget), hard), tw.checkPermissions)

	twin := twinName(bucket, tw.runID)
	ok = tw.stepUntil(ctx, StepTwinCreate, earliest(time.Now().Add(stepBudget), hard), func(ctx context.Context) (string, error) {
		if _, err := js.CreateStream(ctx, twinConfig(orig, twin)); err != nil {
			return "", failf("allow the provider's identity to create streams named KV_<bucket>_ct_*", "create twin bucket %s: %v", twin, err)
		}
		return fmt.Sprintf("twin bucket %s with the settings of %s", twin, bucket), nil
	})
	if ok {
		tt := t
		tt.Endpoint.Bucket, tt.Endpoint.Replicas, tt.Endpoint.RevHistory = twin, adv.Replicas, adv.RevHistory
		tt.Scratch = true
		inner := opts
		inner.Timeout = time.Until(hard) - twinDeleteBudget
		if inner.Timeout > 0 {
			sub := Run(ctx, nc, tt, inner)
			tw.rep.Steps = append(tw.rep.Steps, sub.Steps...)
		} else {
			tw.record(StepKineStart, time.Now(), 0, "", failf("raise the check's timeout", "no time left for the check after preparing the twin"))
		}
	}

	// Always: the twin goes, whatever happened (even if creating it seemed
	// to fail, it may exist).
	began := time.Now()
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), twinDeleteBudget)
	defer cancel()
	err := js.DeleteStream(dctx, "KV_"+twin)
	if err == jetstream.ErrStreamNotFound || (!ok && err != nil && strings.Contains(err.Error(), "not found")) {
		err = nil
	}
	detail := "deleted twin bucket " + twin
	if err != nil {
		detail = ""
		err = failf(fmt.Sprintf("delete stream KV_%s by hand", twin), "delete twin bucket %s: %v", twin, err)
	}
	tw.record(StepTwinDelete, began, 0, detail, err)
	return tw.rep
}

// twinName is a bucket name unique to the run, within JetStream's limits.
func twinName(bucket, runID string) string {
	if len(bucket) > 40 {
		bucket = bucket[:40]
	}
	return bucket + "_ct_" + runID
}

// twinConfig is the bucket's stream config under the twin's name and
// subjects, without the server's own metadata.
func twinConfig(c jetstream.StreamConfig, twin string) jetstream.StreamConfig {
	c.Name = "KV_" + twin
	c.Subjects = []string{"$KV." + twin + ".>"}
	var md map[string]string
	for k, v := range c.Metadata {
		if !strings.HasPrefix(k, "_nats.") {
			if md == nil {
				md = map[string]string{}
			}
			md[k] = v
		}
	}
	c.Metadata = md
	return c
}
