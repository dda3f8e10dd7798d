package conformance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
)

// Steps of RunMirror.
const (
	StepMirrorConfig = "mirror config"
	StepMirrorSync   = "mirror sync"
	StepMirrorSample = "mirror sample"
)

// MirrorTarget is a mirror to check before it is promoted.
type MirrorTarget struct {
	// Mirror reaches the mirror's JetStream (its domain), Source the
	// source's (its domain or API prefix); Source may be nil when there is
	// no way to reach it.
	Mirror, Source jetstream.JetStream
	Spec           mirror.Spec
	// SampleSize is how many of the latest messages, and of the oldest,
	// are compared; DefaultSampleSize when zero.
	SampleSize int
}

// DefaultSampleSize is how many messages at each end of the mirror the
// sample step compares with the source.
const DefaultSampleSize = 256

// RunMirror checks that a mirror, once promoted, will hold a k3s cluster's
// state: KINE would accept its settings, it has caught up with its source,
// and the latest and the oldest of its messages, read with KINE's own code
// (its key and value codecs and record format), carry the same keys, values
// and revisions as the source's. It writes nothing and starts no KINE
// server: the mirror takes no writes, and the source is a live cluster's
// state. Steps that need the source are skipped when it does not answer.
func RunMirror(ctx context.Context, t MirrorTarget, opts Options) *Report {
	opts = opts.withDefaults()
	r := &runner{opts: opts, start: time.Now(), runID: newRunID(), rep: &Report{Profile: opts.Profile, KineVersion: KineVersion()}}
	r.hard = r.start.Add(opts.Timeout)
	r.liveEnd = r.hard
	r.logs = kineLogs.attach(nil, []string{r.runID})
	defer r.finish()
	defer kineLogs.detach(r.logs)
	if t.SampleSize <= 0 {
		t.SampleSize = DefaultSampleSize
	}

	var st mirror.Status
	if !r.step(ctx, StepMirrorConfig, stepBudget, func(ctx context.Context) (string, error) {
		var err error
		if st, err = mirror.Get(ctx, t.Mirror, t.Source, t.Spec); err != nil {
			return "", failf("check the mirror's name, jetstream_domain and credentials", "read mirror %s: %v", t.Spec.Name, err)
		}
		return mirrorConfig(st)
	}) {
		return r.rep
	}
	if !r.step(ctx, StepMirrorSync, r.opts.Timeout, func(ctx context.Context) (string, error) {
		if !st.SourceReachable {
			return "", skip("the source did not answer (" + st.SourceError + "), so how far behind the mirror is cannot be known")
		}
		var err error
		if st, err = mirror.WaitCaughtUp(ctx, t.Mirror, t.Source, t.Spec); err != nil {
			return "", withHint(err, "check the link between the mirror's domain and the source's (leaf node connection, account imports and exports, "+
				"payload limits), or raise the check's timeout for a large bucket")
		}
		return fmt.Sprintf("caught up with source %s at sequence %d", t.Spec.Source, st.LastSeq), nil
	}) {
		return r.rep
	}
	r.step(ctx, StepMirrorSample, r.opts.Timeout, func(ctx context.Context) (string, error) {
		if !st.SourceReachable {
			return "", skip("the source did not answer, so there is nothing to compare with")
		}
		return r.compareSample(ctx, t, st)
	})
	return r.rep
}

// mirrorConfig says whether KINE accepts the mirror's settings once it is
// promoted, and what would keep a mirror of the source from ever serving.
func mirrorConfig(st mirror.Status) (string, error) {
	if st.Promoted {
		return "", failf("run the datastore check (profile quick) on a promoted bucket instead", "bucket %s is promoted already: it is no longer a mirror", st.Config.Name)
	}
	if d := mirror.KineDifferences(st.Config); len(d) > 0 {
		return "", failf("re-create the mirror (the provider makes it with KINE's settings), or fix these settings on it",
			"once promoted, KINE would refuse the bucket: %s", k3s.Describe(d))
	}
	detail := fmt.Sprintf("once promoted, KINE accepts %s with replicas=%d and revHistory=%d", strings.TrimPrefix(st.Config.Name, "KV_"), st.Config.Replicas, st.Config.MaxMsgsPerSubject)
	if len(st.SourceBlockers) > 0 {
		return "", failf("set the source back to KINE's settings: a mirror copies its keys, and a source that expires or limits them is not a k3s datastore",
			"the source is no longer a bucket KINE accepts: %s", k3s.Describe(st.SourceBlockers))
	}
	return detail, nil
}

// compareSample reads the latest and the oldest messages of mirror and
// source with KINE's own code, up to the sequence the mirror has, and
// wants every message the source still holds there in the mirror, the same.
func (r *runner) compareSample(ctx context.Context, t MirrorTarget, st mirror.Status) (string, error) {
	upTo := st.LastSeq
	if upTo == 0 {
		return "the source and the mirror are both empty", nil
	}
	if st.SourceLastSeq < upTo {
		return "", failf(hintMirrorData, "the mirror has revisions up to %d, but the source only up to %d: it is not a copy of this source (was the source re-created?)", upTo, st.SourceLastSeq)
	}
	n := uint64(t.SampleSize)
	first := max(st.FirstSeq, 1)
	windows := [][2]uint64{{max(first, upTo-min(upTo, n)+1), upTo}}
	if w := windows[0]; w[0] > first {
		windows = append(windows, [2]uint64{first, min(first+n-1, w[0]-1)})
	}
	compared, keys := 0, map[string]bool{}
	for _, w := range windows {
		src, err := readKineRetrying(ctx, t.Source, t.Spec.Source.Bucket, r.runID, w[0], w[1])
		if err != nil {
			return "", fmt.Errorf("read source: %w", err)
		}
		dst, err := readKineRetrying(ctx, t.Mirror, t.Spec.Name, r.runID, w[0], w[1])
		if err != nil {
			return "", fmt.Errorf("read mirror: %w", err)
		}
		for seq, want := range src {
			got, ok := dst[seq]
			if !ok {
				return "", failf(hintMirrorData, "revision %d (%s) is in the source but not in the mirror", seq, want)
			}
			if got != want {
				return "", failf(hintMirrorData, "revision %d differs: the source has %s, the mirror %s", seq, want, got)
			}
			compared++
			keys[want.key] = true
		}
	}
	return fmt.Sprintf("%d revisions of %d keys read with KINE's codec up to revision %d: same keys, values, create and mod revisions in mirror and source", compared, len(keys), upTo), nil
}

const hintMirrorData = "the mirror does not hold what the source holds at the same revisions: make sure nothing but the mirror writes to it, and re-create it"
