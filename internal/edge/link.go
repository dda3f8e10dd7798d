package edge

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// kineStopReserve is kept back from KINE's part of the check for stopping
// the edge server and removing the files.
const kineStopReserve = stopBudget

// kine runs KINE's conformance check against the edge server with the
// site's bucket and revHistory, and the edge's own steps while KINE serves.
func (c *check) kine(ctx context.Context) {
	inner := c.opts
	inner.Timeout = c.seq.Remaining() - kineStopReserve
	if inner.Timeout <= 0 {
		c.seq.Step(ctx, conformance.StepKineStart, time.Second, func(context.Context) (string, error) {
			return "", conformance.WithHint(errors.New("no time left for KINE"), "raise the check's timeout")
		})
		return
	}
	inner.LiveSteps = []conformance.LiveStep{
		{Name: StepHubView, Budget: quickBudget * 2, Run: c.hubView},
		{Name: StepLeafPayload, Budget: leafBudget, Run: c.largeObject},
		{Name: StepLinkDown, Budget: leafBudget, Run: c.linkDown},
		{Name: StepLinkBack, Budget: linkBudget, Run: c.linkBack},
	}
	host, port, _ := net.SplitHostPort(c.srv.Addr().String())
	t := conformance.Target{Endpoint: k3s.Endpoint{
		Servers:    []string{net.JoinHostPort(host, port)},
		Bucket:     c.site.Bucket,
		RevHistory: c.site.RevHistory,
	}}
	c.seq.Include(conformance.Run(ctx, c.l.nc, t, inner))
}

// skipLive skips a hub-facing step when the check ran in a private domain.
func (c *check) skipLive() error {
	if c.live {
		return conformance.Skip(fmt.Sprintf("domain %s is live on the hub; the check's server ran in its own domain", c.site.Domain))
	}
	return nil
}

func (c *check) hubView(ctx context.Context, _ conformance.Live) (string, error) {
	if err := c.skipLive(); err != nil {
		return "", err
	}
	s, err := c.hubJS.Stream(ctx, "KV_"+c.site.Bucket)
	if err != nil {
		return "", conformance.WithHint(fmt.Errorf("the hub cannot read bucket %s in domain %s through the leaf: %w", c.site.Bucket, c.domain, err),
			"the leaf user must let the hub reach $JS.<domain>.API.> (nats_user leafnode = { ... } does)")
	}
	info := s.CachedInfo()
	return fmt.Sprintf("the hub sees bucket %s in domain %s through the leaf (%d messages, last revision %d, history %d): a hub mirror with source domain %s can follow it",
		c.site.Bucket, c.domain, info.State.Msgs, info.State.LastSeq, info.Config.MaxMsgsPerSubject, c.domain), nil
}

// largeObject writes a 1.5 MiB object through KINE and reads it from the
// hub: the message crosses the leaf connection as it would on its way to a
// hub mirror, and a payload limit below it on the hub side drops the link.
func (c *check) largeObject(ctx context.Context, k conformance.Live) (string, error) {
	if err := c.skipLive(); err != nil {
		return "", err
	}
	value := make([]byte, conformance.LargeObject)
	_, _ = rand.Read(value) // incompressible, so the message is as big as KINE makes it
	rev, ok, err := k.Create(ctx, k.Prefix+"large-object", string(value))
	if err == nil && !ok {
		err = errors.New("the key exists already")
	}
	if err != nil {
		return "", fmt.Errorf("KINE on the edge did not store a 1.5 MiB object: %w", err)
	}
	s, err := c.hubJS.Stream(ctx, "KV_"+c.site.Bucket)
	var msg *jetstream.RawStreamMsg
	if err == nil {
		msg, err = s.GetMsg(ctx, uint64(rev))
	}
	if err != nil {
		why := fmt.Errorf("the hub did not receive the 1.5 MiB object (revision %d) through the leaf: %w", rev, err)
		if c.srv.NumLeafNodes() == 0 {
			why = fmt.Errorf("the leaf connection dropped when the edge sent a 1.5 MiB object (revision %d) to the hub%s", rev, logged(c.log))
		}
		return "", conformance.WithHint(why, fmt.Sprintf("every payload limit on the hub side of the link must be at least the edge's max_payload (%d): "+
			"the hub servers' max_payload, the hub account's and the leaf user's limits", c.site.MaxPayload))
	}
	return fmt.Sprintf("a 1.5 MiB object written through KINE (revision %d) reached the hub as a %d-byte message", rev, len(msg.Data)), nil
}

// linkDown cuts the leaf connection (the remote disabled, as a config
// reload does) and makes KINE create, update and watch while it is down.
func (c *check) linkDown(ctx context.Context, k conformance.Live) (string, error) {
	if err := c.skipLive(); err != nil {
		return "", err
	}
	began := time.Now()
	if err := c.l.setRemote(true); err != nil {
		return "", err
	}
	for c.srv.NumLeafNodes() > 0 || c.domainAnswers(ctx) {
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("the leaf connection did not go down: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cut := time.Since(began)

	key := k.Prefix + "offline"
	watch := k.KV.Watch(clientv3.WithRequireLeader(ctx), k.Prefix, clientv3.WithPrefix())
	created, ok, err := k.Create(ctx, key, `{"kind":"ConfigMap","data":{"link":"down"}}`)
	if err == nil && !ok {
		err = errors.New("the key exists already")
	}
	if err != nil {
		return "", fmt.Errorf("KINE did not create a key while the link was down: %w", err)
	}
	updated, ok, err := k.Update(ctx, key, `{"kind":"ConfigMap","data":{"link":"still down"}}`, created)
	if err == nil && !ok {
		err = errors.New("the guarded update was refused")
	}
	if err != nil {
		return "", fmt.Errorf("KINE did not update a key while the link was down: %w", err)
	}
	seen := map[int64]bool{}
	for !seen[created] || !seen[updated] {
		select {
		case wr, ok := <-watch:
			if !ok || wr.Err() != nil {
				return "", fmt.Errorf("KINE's watch ended while the link was down: %v", wr.Err())
			}
			for _, ev := range wr.Events {
				seen[ev.Kv.ModRevision] = true
			}
		case <-ctx.Done():
			return "", fmt.Errorf("KINE's watch did not deliver the writes made while the link was down: %w", ctx.Err())
		}
	}
	c.offline = []int64{created, updated}
	return fmt.Sprintf("leaf connection cut in %s; the hub could not reach domain %s, and KINE served a create (revision %d), an update (revision %d) and a watch that saw both",
		cut.Round(time.Millisecond), c.domain, created, updated), nil
}

// linkBack restores the leaf connection and waits until the hub sees the
// writes made while it was down.
func (c *check) linkBack(ctx context.Context, _ conformance.Live) (string, error) {
	if err := c.skipLive(); err != nil {
		return "", err
	}
	began := time.Now()
	if err := c.l.setRemote(false); err != nil {
		return "", err
	}
	for c.srv.NumLeafNodes() == 0 {
		select {
		case <-ctx.Done():
			return "", conformance.WithHint(fmt.Errorf("the leaf connection did not come back: %w%s", ctx.Err(), logged(c.log)),
				"the hub refused or did not answer the reconnecting edge; see what the edge server logged")
		case <-time.After(20 * time.Millisecond):
		}
	}
	back := time.Since(began)
	var err error
	for {
		if err = c.hubHas(ctx, c.offline); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("the hub did not see the writes made while the link was down, %s after it came back: %w", time.Since(began).Round(time.Millisecond), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Sprintf("leaf connection back in %s; the hub saw the %d writes made while it was down %s after the link was restored",
		back.Round(time.Millisecond), len(c.offline), time.Since(began).Round(time.Millisecond)), nil
}

// hubHas reads the given revisions of the edge bucket from the hub.
func (c *check) hubHas(ctx context.Context, revs []int64) error {
	rctx, cancel := context.WithTimeout(ctx, requestWait)
	defer cancel()
	s, err := c.hubJS.Stream(rctx, "KV_"+c.site.Bucket)
	if err != nil {
		return err
	}
	for _, r := range revs {
		if _, err := s.GetMsg(rctx, uint64(r)); err != nil {
			return fmt.Errorf("revision %d: %w", r, err)
		}
	}
	return nil
}
