package conformance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// probeWait is how long a permission probe waits for an answer. The server
// drops a denied publish and says so with an asynchronous -ERR that is
// usually seen within milliseconds; silence this long means the same.
const probeWait = 3 * time.Second

// A probe must never change anything, whatever subject it reaches:
//   - JetStream API requests carry a required API level no server has, which
//     every API handler rejects before reading the request, and an invalid
//     JSON body for servers that do not check the level;
//   - wildcard permissions are probed on a subject with a name no consumer
//     or key has;
//   - the publish into the bucket expects another stream, which JetStream
//     checks before storing.
const (
	hdrRequiredAPILevel = "Nats-Required-Api-Level"
	hdrExpectedStream   = "Nats-Expected-Stream"
	impossibleAPILevel  = "1000000"
	probeBody           = "!"
)

type permResult struct {
	need, subject string
	denied        bool
	// unconfirmed: no answer and no permission error. A denied publish
	// always draws the server's permission error, so silence is not a
	// denial: a stream electing a leader (just scaled up) also stays silent.
	unconfirmed bool
	why         string
}

func (r *runner) checkPermissions(ctx context.Context) (string, error) {
	// KINE's own connection uses nats.go's default inbox prefix.
	pub, sub := k3s.Permissions(r.bucket, k3s.DefaultInboxPrefix)
	token := "zz-nats-provider-conformance-" + r.runID

	var wg sync.WaitGroup
	results := make([]permResult, len(pub)+len(sub))
	for i, need := range pub {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = r.probePublish(ctx, need, concrete(need, token))
		}()
	}
	for i, need := range sub {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[len(pub)+i] = r.probeSubscribe(ctx, need, concrete(need, token))
		}()
	}
	wg.Wait()

	var denied, deniedSubjects, unconfirmed []string
	for _, res := range results {
		if res.unconfirmed {
			unconfirmed = append(unconfirmed, res.need)
		}
		if res.denied {
			denied = append(denied, fmt.Sprintf("%s (%s)", res.need, res.why))
			deniedSubjects = append(deniedSubjects, res.need)
		}
	}
	source := "probed live"
	if len(r.t.Creds) > 0 {
		if d, ok := jwtVerdict(r.t.Creds, pub, sub); ok {
			source += ", user JWT agrees"
			if len(d) > 0 {
				source = "probed live and read from the user JWT"
				denied = append(denied, "user JWT: "+strings.Join(d, ", "))
			}
		}
	}
	if len(denied) > 0 {
		sort.Strings(deniedSubjects)
		hint := "allow the user KINE runs as to publish to " + strings.Join(pub, ", ") + " and subscribe to " + strings.Join(sub, ", ")
		for _, s := range deniedSubjects {
			if strings.HasPrefix(s, "$JS.API.STREAM.CREATE.") {
				hint += "; without " + s + " KINE retries its bucket creation forever and never starts, even when the bucket exists"
			}
		}
		return "", failf(hint, "the identity may not use every subject KINE needs: %s", strings.Join(denied, "; "))
	}
	detail := fmt.Sprintf("publish to %d subjects and subscribe to %s allowed (%s)", len(pub), strings.Join(sub, ", "), source)
	if len(unconfirmed) > 0 {
		detail += fmt.Sprintf("; no answer within %s and no permission error for %s, so taken as allowed", probeWait, strings.Join(unconfirmed, ", "))
	}
	return detail, nil
}

// concrete turns a needed subject into one a probe can use.
func concrete(need, token string) string {
	if s, ok := strings.CutSuffix(need, ">"); ok {
		return s + token
	}
	return need
}

// probePublish sends a harmless request to subject. Any answer, including
// an error or "no responders", proves the publish was allowed.
func (r *runner) probePublish(ctx context.Context, need, subject string) permResult {
	res := permResult{need: need, subject: subject}
	msg := nats.NewMsg(subject)
	msg.Header.Set(hdrRequiredAPILevel, impossibleAPILevel)
	msg.Header.Set(hdrExpectedStream, "zz-no-such-stream")
	msg.Data = []byte(probeBody)

	pctx, cancel := context.WithTimeout(ctx, probeWait)
	defer cancel()
	base := errString(r.nc.LastError())
	done := make(chan error, 1)
	go func() {
		_, err := r.nc.RequestMsgWithContext(pctx, msg)
		done <- err
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			switch {
			case err == nil, errors.Is(err, nats.ErrNoResponders):
				return res
			case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
				if why := violation(r.nc, base, "publish to", subject); why != "" {
					res.denied, res.why = true, "server: "+why
				} else {
					res.unconfirmed = true
				}
			default:
				res.denied, res.why = true, "probe failed: "+err.Error()
			}
			return res
		case <-tick.C:
			if why := violation(r.nc, base, "publish to", subject); why != "" {
				cancel()
				<-done
				res.denied, res.why = true, "server: "+why
				return res
			}
		}
	}
}

// probeSubscribe subscribes to subject and waits for the server to have
// processed it (a flush).
func (r *runner) probeSubscribe(ctx context.Context, need, subject string) permResult {
	res := permResult{need: need, subject: subject}
	base := errString(r.nc.LastError())
	s, err := r.nc.SubscribeSync(subject)
	if err != nil {
		res.denied, res.why = true, "subscribe failed: "+err.Error()
		return res
	}
	defer func() { _ = s.Unsubscribe() }()
	pctx, cancel := context.WithTimeout(ctx, probeWait)
	defer cancel()
	if err := r.nc.FlushWithContext(pctx); err != nil {
		res.denied, res.why = true, "flush failed: "+err.Error()
		return res
	}
	// The reader handles the -ERR before the PONG that ends the flush, so
	// a denial is visible now.
	if why := violation(r.nc, base, "subscription to", subject); why != "" {
		res.denied, res.why = true, "server: "+why
	}
	return res
}

// violation returns the connection's last error if it is a permission
// violation for subject that was not already there before the probe.
func violation(nc *nats.Conn, base, what, subject string) string {
	le := errString(nc.LastError())
	if le == "" || le == base {
		return ""
	}
	if strings.Contains(strings.ToLower(le), what+` "`+strings.ToLower(subject)+`"`) {
		return le
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
