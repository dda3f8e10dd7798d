package conformance

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	kineversion "github.com/k3s-io/kine/pkg/version"
)

const kineModule = "github.com/k3s-io/kine"

// KineVersion is the version of the KINE module linked into this binary.
// Reading the build info parses every module of the binary: it is read once,
// not for every bucket an apply checks.
var KineVersion = sync.OnceValue(kineVersion)

func kineVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == kineModule {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return kineversion.Version
}

// Failed returns the first failed step, or nil.
func (r *Report) Failed() *Step {
	for i := range r.Steps {
		if !r.Steps[i].OK {
			return &r.Steps[i]
		}
	}
	return nil
}

// Step returns the step called name, or nil.
func (r *Report) Step(name string) *Step {
	for i := range r.Steps {
		if r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}

// Summary is one paragraph for a diagnostic: on failure the failing step,
// what KINE or the server said and what to do about it.
func (r *Report) Summary() string {
	var b strings.Builder
	if r.AdviceOnly && r.Advice != nil {
		a := r.Advice
		fmt.Fprintf(&b, "KINE %s config advice (the bucket's config compared with what KINE creates; KINE not run): ", orUnknown(r.KineVersion))
		if a.OK {
			fmt.Fprintf(&b, "KINE accepts bucket %q as it is with replicas=%d and revHistory=%d: %s", a.Bucket, a.Replicas, a.RevHistory, a.Endpoint)
			return b.String()
		}
		var bl []string
		for _, d := range a.Blockers {
			bl = append(bl, d.String())
		}
		fmt.Fprintf(&b, "no endpoint makes KINE accept bucket %q as it is: %s. What to do: to give this bucket to k3s, change those settings; otherwise nothing.", a.Bucket, strings.Join(bl, "; "))
		return b.String()
	}
	fmt.Fprintf(&b, "KINE %s conformance check (%s profile) against nats-server %s ", orUnknown(r.KineVersion), r.Profile, orUnknown(r.ServerVersion))
	f := r.Failed()
	if f == nil && len(r.Steps) > 0 && allSkipped(r.Steps) {
		var why []string
		for _, s := range r.Steps {
			why = append(why, strings.TrimPrefix(s.Detail, "skipped: "))
		}
		fmt.Fprintf(&b, "was not run: %s.", strings.TrimSuffix(strings.Join(why, "; "), "."))
		return b.String()
	}
	if f == nil {
		skips := 0
		for _, s := range r.Steps {
			if s.Skipped {
				skips++
			}
		}
		fmt.Fprintf(&b, "passed: %d steps in %s", len(r.Steps), r.Duration.Round(time.Millisecond))
		if skips > 0 {
			var sk []string
			for _, s := range r.Steps {
				if s.Skipped {
					sk = append(sk, s.Name+" ("+strings.TrimPrefix(s.Detail, "skipped: ")+")")
				}
			}
			fmt.Fprintf(&b, "; skipped: %s", strings.Join(sk, "; "))
		}
		b.WriteString(".")
		for _, s := range r.Steps {
			if s.Warning != "" {
				fmt.Fprintf(&b, " Warning from step %q: %s.", s.Name, strings.TrimSuffix(s.Warning, "."))
			}
		}
	} else {
		fmt.Fprintf(&b, "failed at step %q after %s: %s.", f.Name, r.Duration.Round(time.Millisecond), strings.TrimSuffix(f.Detail, "."))
		if f.Hint != "" {
			fmt.Fprintf(&b, " What to do: %s.", strings.TrimSuffix(f.Hint, "."))
		}
		var others []string
		for i := range r.Steps {
			if s := &r.Steps[i]; !s.OK && s != f {
				others = append(others, s.Name)
			}
		}
		if len(others) > 0 {
			fmt.Fprintf(&b, " Also failed: %s.", strings.Join(others, ", "))
		}
	}
	// A failed advice step already lists the blockers in its detail.
	if a := r.Advice; a != nil && (f == nil || f.Name != StepBucketAdvice) {
		if a.OK {
			fmt.Fprintf(&b, " To use bucket %q as it is, give KINE replicas=%d and revHistory=%d: %s", a.Bucket, a.Replicas, a.RevHistory, a.Endpoint)
		} else {
			var bl []string
			for _, d := range a.Blockers {
				bl = append(bl, d.String())
			}
			fmt.Fprintf(&b, " No endpoint makes KINE accept bucket %q as it is: %s.", a.Bucket, strings.Join(bl, "; "))
		}
	}
	return b.String()
}

func allSkipped(steps []Step) bool {
	for _, s := range steps {
		if !s.Skipped {
			return false
		}
	}
	return true
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// defaultHint is what to do about a step that failed without a more
// specific hint.
func defaultHint(step string) string {
	switch step {
	case StepKineStart:
		return "KINE could not open the bucket: check that the endpoint's servers are reachable from here, the identity can log in, and JetStream is healthy"
	case StepCleanup:
		return fmt.Sprintf("delete the keys left under %s (they are invisible to Kubernetes but hold space), or rerun the check", ProbePrefix)
	case StepKineStop:
		return "this is a defect of the check or of KINE; the provider process may hold a stale connection until it exits"
	}
	return "KINE answered differently from what the kube-apiserver relies on; check JetStream health (stream leader, replicas current) and the server logs, and rerun"
}
