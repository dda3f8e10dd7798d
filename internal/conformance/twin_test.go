package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// An application bucket KINE accepts with other endpoint params: its own
// history of 5. It holds data that the check must not touch.
func TestRunTwinLeavesBucketUntouched(t *testing.T) {
	t.Parallel()
	bucket := uniq("app")
	nc := connect(t, single.URL)
	j := js(t, nc)
	kv := createBucket(t, nc, jetstream.KeyValueConfig{Bucket: bucket, Description: k3s.KineDescription, History: 5})
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	for _, k := range []string{"a", "b", "c"} {
		if _, err := kv.PutString(ctx, k, "value of "+k); err != nil {
			t.Fatal(err)
		}
	}
	before := streamState(t, j, "KV_"+bucket)

	r := RunTwin(bg(), nc, j, bucket, endpointFor([]string{single.URL}, "", 0), Options{Profile: ProfileFull})
	mustPass(t, r)
	a := r.Advice
	if a == nil || !a.OK || a.Replicas != 1 || a.RevHistory != 5 || !strings.Contains(a.Endpoint, "bucket="+bucket+"&replicas=1&revHistory=5") {
		t.Errorf("advice = %+v, want replicas 1, revHistory 5 for bucket app", a)
	}
	if s := r.Step(StepCompaction); s == nil || s.Skipped || !s.OK {
		t.Errorf("the twin is scratch: compaction must run: %+v", s)
	}
	if !strings.Contains(r.Summary(), "revHistory=5") {
		t.Errorf("summary lacks the advice: %s", r.Summary())
	}

	if after := streamState(t, j, "KV_"+bucket); after != before {
		t.Errorf("the bucket changed: before %+v, after %+v", before, after)
	}
	assertNoTwins(t, j, bucket)
}

// A bucket no endpoint can make KINE accept: no twin is made, the advice
// says why.
func TestRunTwinBlockedBucket(t *testing.T) {
	t.Parallel()
	bucket := uniq("appz")
	nc := connect(t, single.URL)
	j := js(t, nc)
	createBucket(t, nc, jetstream.KeyValueConfig{Bucket: bucket, History: 3, Compression: true})
	r := RunTwin(bg(), nc, j, bucket, endpointFor([]string{single.URL}, "", 0), Options{})
	mustFailAt(t, r, StepBucketAdvice, "Compression", "Description")
	if r.Advice == nil || r.Advice.OK || len(r.Advice.Blockers) == 0 {
		t.Errorf("advice = %+v, want blockers", r.Advice)
	}
	// The blockers are in the failed step's detail; the summary says them once.
	if n := strings.Count(r.Summary(), "Compression"); n != 1 {
		t.Errorf("summary names Compression %d times, want once: %s", n, r.Summary())
	}
	if r.Step(StepTwinCreate) != nil {
		t.Error("no twin should be made for a blocked bucket")
	}
	assertNoTwins(t, j, bucket)
}

// KINE cannot reach the endpoint's server: the run fails, the twin goes.
func TestRunTwinDeletesTwinOnFailure(t *testing.T) {
	t.Parallel()
	bucket := uniq("appf")
	nc := connect(t, single.URL)
	j := js(t, nc)
	createBucket(t, nc, jetstream.KeyValueConfig{Bucket: bucket, Description: k3s.KineDescription, History: 10})
	before := streamState(t, j, "KV_"+bucket)
	r := RunTwin(bg(), nc, j, bucket, endpointFor([]string{"127.0.0.1:1"}, "", 0), Options{Timeout: 20 * time.Second})
	mustFailAt(t, r, StepKineStart, "connect")
	if s := r.Step(StepTwinDelete); s == nil || !s.OK {
		t.Errorf("twin delete: %+v", s)
	}
	if after := streamState(t, j, "KV_"+bucket); after != before {
		t.Errorf("the bucket changed: before %+v, after %+v", before, after)
	}
	assertNoTwins(t, j, bucket)
}

type state struct {
	Msgs, Bytes, FirstSeq, LastSeq uint64
	Subjects                       uint64
	Consumers                      int
}

func streamState(t *testing.T, j jetstream.JetStream, name string) state {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	s, err := j.Stream(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	st := s.CachedInfo().State
	return state{st.Msgs, st.Bytes, st.FirstSeq, st.LastSeq, st.NumSubjects, st.Consumers}
}

func assertNoTwins(t *testing.T, j jetstream.JetStream, bucket string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	names := j.StreamNames(ctx)
	for n := range names.Name() {
		if strings.HasPrefix(n, "KV_"+bucket+"_ct_") {
			t.Errorf("twin stream %s left behind", n)
		}
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
}
