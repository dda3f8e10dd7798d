package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A Sequence records named, timed steps with their hints and skips, cuts
// them at the check's deadline, and still runs its final step after it.
func TestSequence(t *testing.T) {
	var seen []string
	s := NewSequence(Options{Timeout: 300 * time.Millisecond, OnStep: func(st Step) { seen = append(seen, st.Name) }}, []string{"s3cret-value"})
	ctx := context.Background()
	if !s.Step(ctx, "first", time.Second, func(context.Context) (string, error) { return "fine", nil }) {
		t.Fatal("a passing step failed")
	}
	s.Step(ctx, "skipped", time.Second, func(context.Context) (string, error) { return "", Skip("not here") })
	if s.Step(ctx, "slow", time.Minute, func(ctx context.Context) (string, error) {
		<-ctx.Done() // cut at the check's deadline, not the step's minute
		return "", WithHint(errors.New("waited for s3cret-value"), "do this")
	}) {
		t.Fatal("a failing step passed")
	}
	s.Final(ctx, "last", time.Second, func(ctx context.Context) (string, error) {
		if ctx.Err() != nil {
			return "", errors.New("the final step got no time")
		}
		return "cleaned up", nil
	})
	s.Include(&Report{Steps: []Step{{Name: "inner", OK: true}}, ServerVersion: "2.15.2"})
	rep := s.Report()
	if rep.Passed || rep.Failed().Name != "slow" || rep.ServerVersion != "2.15.2" || len(rep.Steps) != 5 {
		t.Fatalf("report %+v", rep)
	}
	slow := rep.Step("slow")
	if slow.Hint != "do this" || strings.Contains(slow.Detail, "s3cret-value") || slow.Duration > 5*time.Second {
		t.Errorf("slow step %+v", slow)
	}
	if st := rep.Step("skipped"); !st.OK || !st.Skipped {
		t.Errorf("skipped step %+v", st)
	}
	if st := rep.Step("last"); !st.OK {
		t.Errorf("final step %+v", st)
	}
	if strings.Join(seen, ",") != "first,skipped,slow,last" {
		t.Errorf("OnStep saw %v", seen)
	}
}
