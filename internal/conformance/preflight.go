package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// Oldest nats-server KINE v0.17 supports.
const minServerMajor, minServerMinor = 2, 12

// kineConsumers is how many ephemeral consumers the check's KINE instances
// hold at once (per instance: the btree replay, the compaction watcher, the
// watch broadcaster and a watch catch-up).
const kineConsumers = 8

// preflight runs every preflight step, even after one fails, so a single
// report lists everything to fix. It reports whether all passed.
func (r *runner) preflight(ctx context.Context) bool {
	steps := []struct {
		name string
		fn   stepFunc
	}{
		{StepEndpoint, r.checkEndpoint},
		{StepServerVersion, r.checkServerVersion},
		{StepMaxPayload, r.checkMaxPayload},
		{StepJetStream, r.checkJetStream},
		{StepPermissions, r.checkPermissions},
		{StepBucketConfig, r.checkBucket},
		{StepReplicas, r.checkReplicas},
	}
	ok := true
	for _, s := range steps {
		if !r.step(ctx, s.name, stepBudget, s.fn) {
			ok = false
			// Without a usable endpoint or connection the rest says nothing.
			if s.name == StepEndpoint || r.nc == nil || r.nc.IsClosed() {
				break
			}
		}
	}
	return ok
}

func (r *runner) checkEndpoint(ctx context.Context) (string, error) {
	ep := r.t.Endpoint
	if r.nc == nil {
		return "", errors.New("no NATS connection given to the check")
	}
	if p := r.opts.Profile; p != ProfileQuick && p != ProfileFull {
		return "", failf(`use profile "quick" or "full"`, "unknown profile %q", p)
	}
	if err := ep.Validate(); err != nil {
		return "", withHint(fmt.Errorf("the endpoint is not one KINE reads as meant: %w", err), "fix the endpoint settings")
	}
	if ep.ContextFile != "" {
		return "", failf("give the check the endpoint's servers and credentials instead of a context file",
			"a contextFile endpoint names a file on the k3s hosts, which the check cannot read here")
	}
	dir, err := newPrivateDir()
	if err != nil {
		return "", err
	}
	r.dir = dir
	switch {
	case len(r.t.Creds) > 0:
		if ep.CredsFile, err = dir.write("kine.creds", r.t.Creds); err != nil {
			return "", err
		}
	case ep.CredsFile != "":
		if _, err := os.Stat(ep.CredsFile); err != nil {
			return "", failf("pass the credentials content to the check; the path is only meaningful on the k3s hosts",
				"credentials file %q is not readable here: %v", ep.CredsFile, errors.Unwrap(err))
		}
	}
	if r.tls, err = dir.kineTLS(r.t.TLS); err != nil {
		return "", err
	}
	r.endpoint = ep.String()
	return fmt.Sprintf("KINE endpoint %s (bucket %s, replicas %d, revHistory %d)", r.t.Endpoint.Redacted(), r.bucket, r.replicas, r.revHistory), nil
}

func (r *runner) checkServerVersion(ctx context.Context) (string, error) {
	if !r.nc.IsConnected() {
		return "", failf("check that the provider can reach the NATS servers", "the NATS connection is %s", r.nc.Status())
	}
	v := r.nc.ConnectedServerVersion()
	major, minor, ok := parseVersion(v)
	if !ok {
		return "", failf("use a released nats-server 2.12 or newer", "cannot read the server version %q", v)
	}
	if major < minServerMajor || major == minServerMajor && minor < minServerMinor {
		return "", failf(fmt.Sprintf("upgrade nats-server to %d.%d or newer", minServerMajor, minServerMinor),
			"nats-server %s is older than %d.%d, the oldest KINE %s supports", v, minServerMajor, minServerMinor, r.rep.KineVersion)
	}
	return fmt.Sprintf("nats-server %s (%s)", v, orUnknown(r.nc.ConnectedServerName())), nil
}

// parseVersion reads "2.12.1", "v2.12.0-RC.3" and the like.
func parseVersion(v string) (major, minor int, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(parts[0])
	minor, err2 = strconv.Atoi(strings.SplitN(parts[1], "-", 2)[0])
	return major, minor, err1 == nil && err2 == nil
}

func (r *runner) checkMaxPayload(ctx context.Context) (string, error) {
	have := int(r.nc.MaxPayload())
	if have < RequiredMaxPayload {
		return "", failf(fmt.Sprintf("set max_payload to at least %d (8MB is common) on every server of the cluster", RequiredMaxPayload),
			"the server's max_payload is %s; a 1.5 MiB Kubernetes object becomes a %s NATS message in KINE's encoding (base64 in JSON, s2 framing, headers), so large objects (Secrets, ConfigMaps, CRDs) would fail to store",
			sizeString(have), sizeString(RequiredMaxPayload))
	}
	return fmt.Sprintf("max_payload %s, KINE needs %s for 1.5 MiB objects", sizeString(have), sizeString(RequiredMaxPayload)), nil
}

func (r *runner) checkJetStream(ctx context.Context) (string, error) {
	// KINE has no JetStream domain option: it uses the account's own.
	js, err := jetstream.New(r.nc)
	if err != nil {
		return "", fmt.Errorf("jetstream context: %w", err)
	}
	r.js = js
	info, err := js.AccountInfo(ctx)
	switch {
	case errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return "", failf("enable JetStream for the account KINE uses (JetStream limits on the account)", "JetStream is not enabled for this account: %v", err)
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, nats.ErrNoResponders):
		return "", failf("enable JetStream on the servers, or point the connection at the account that holds the bucket", "JetStream is not available to this connection: %v", err)
	case err != nil:
		return "", fmt.Errorf("JetStream account info: %w", err)
	}
	r.acct = info

	tier, tierName := r.tier()
	if tier == nil {
		var have []string
		for k := range info.Tiers {
			have = append(have, k)
		}
		return "", failf(fmt.Sprintf("give the account JetStream limits for tier %s", tierName),
			"the account has JetStream limits only for tiers %s; a bucket with %d replicas needs tier %s", strings.Join(have, ", "), r.replicas, tierName)
	}
	lim := tier.Limits
	var problems []string
	if lim.MaxBytesRequired {
		problems = append(problems, "the account requires every stream to set max_bytes, and KINE creates its bucket without a size limit")
	}
	if lim.MaxStore == 0 {
		problems = append(problems, "the account may not use file storage (max_storage 0), and KINE's bucket is file-backed")
	} else if need := int64(r.probeBytes()) * int64(r.replicas); lim.MaxStore > 0 && lim.MaxStore-int64(tier.Store) < need {
		problems = append(problems, fmt.Sprintf("the account has %s of file storage left (%s of %s used); the check alone needs %s",
			sizeString(int(lim.MaxStore-int64(tier.Store))), sizeString(int(tier.Store)), sizeString(int(lim.MaxStore)), sizeString(int(need))))
	}
	if lim.MaxConsumers > 0 && tier.Consumers+kineConsumers > lim.MaxConsumers {
		problems = append(problems, fmt.Sprintf("the account holds %d of its %d consumers; KINE needs a few ephemeral ones (the check up to %d)", tier.Consumers, lim.MaxConsumers, kineConsumers))
	}
	if len(problems) > 0 {
		return "", failf("raise the account's JetStream limits", "%s", strings.Join(problems, "; "))
	}
	return fmt.Sprintf("JetStream API level %d, tier %s: %d streams, %d consumers, storage %s used of %s", info.API.Level, tierName,
		tier.Streams, tier.Consumers, sizeString(int(tier.Store)), limitString(lim.MaxStore)), nil
}

// tier returns the account limits that apply to the bucket's replicas.
func (r *runner) tier() (*jetstream.Tier, string) {
	name := fmt.Sprintf("R%d", r.replicas)
	if r.acct == nil {
		return nil, name
	}
	if len(r.acct.Tiers) == 0 {
		return &r.acct.Tier, "default"
	}
	if t, ok := r.acct.Tiers[name]; ok {
		return &t, name
	}
	return nil, name
}

// probeBytes is the storage the check's writes take at most.
func (r *runner) probeBytes() int {
	if r.opts.Profile == ProfileFull {
		// The large object is stored twice (value and tombstone).
		return 3*RequiredMaxPayload + 1<<20
	}
	return 256 << 10
}

func (r *runner) checkBucket(ctx context.Context) (string, error) {
	if r.js == nil {
		return "", errors.New("JetStream is not available (see the jetstream account step)")
	}
	s, err := r.js.Stream(ctx, "KV_"+r.bucket)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		if tier, _ := r.tier(); tier != nil && tier.Limits.MaxStreams > 0 && tier.Streams >= tier.Limits.MaxStreams {
			return "", failf("raise the account's stream limit or create the bucket beforehand",
				"bucket %s does not exist and the account already holds %d of its %d streams, so KINE cannot create it", r.bucket, tier.Streams, tier.Limits.MaxStreams)
		}
		want := k3s.BucketConfig(r.bucket, r.replicas, r.revHistory)
		return fmt.Sprintf("bucket %s does not exist; KINE will create it (history %d, replicas %d, file storage)", r.bucket, want.History, want.Replicas), nil
	}
	if err != nil {
		return "", fmt.Errorf("look up bucket %s: %w", r.bucket, err)
	}
	r.bucketExists = true
	r.stream = s.CachedInfo()
	diffs := k3s.Compare(r.stream.Config, r.replicas, r.revHistory)
	if len(diffs) == 0 {
		return fmt.Sprintf("bucket %s exists with exactly the settings KINE creates (history %d, replicas %d)", r.bucket, r.revHistory, r.replicas), nil
	}
	var ds []string
	for _, d := range diffs {
		ds = append(ds, d.String())
	}
	msg := fmt.Sprintf("bucket %s exists with settings KINE does not create, so KINE would refuse to start (\"stream name already in use\"): %s", r.bucket, strings.Join(ds, "; "))
	replicas, revHistory, blockers, ok := k3s.Advise(r.stream.Config)
	if ok {
		return "", failf(fmt.Sprintf("put replicas=%d&revHistory=%d in the endpoint to match the bucket", replicas, revHistory), "%s", msg)
	}
	var bs []string
	for _, d := range blockers {
		bs = append(bs, d.Field)
	}
	return "", failf(fmt.Sprintf("no endpoint makes KINE accept this bucket: change %s on the bucket (or recreate it with KINE's settings), or use another bucket", strings.Join(bs, ", ")), "%s", msg)
}

func (r *runner) checkReplicas(ctx context.Context) (string, error) {
	if r.bucketExists && r.stream != nil {
		return r.checkBucketPeers(ctx)
	}
	if r.replicas == 1 {
		return "1 replica: any JetStream server can hold the bucket", nil
	}
	if r.nc.ConnectedClusterName() == "" {
		return "", failf(fmt.Sprintf("lower replicas to 1 or run a JetStream cluster of at least %d servers", r.replicas),
			"the server is not clustered; a bucket with %d replicas cannot be placed and KINE would retry forever", r.replicas)
	}
	// Without the system account the cluster's size is only visible in the
	// client URLs the servers advertise.
	peers := map[string]bool{}
	for _, s := range r.nc.Servers() {
		if u, err := url.Parse(s); err == nil {
			peers[u.Host] = true
		}
	}
	if len(peers) < r.replicas {
		if len(r.nc.DiscoveredServers()) == 0 {
			return fmt.Sprintf("cluster %s: cannot count its servers (they advertise no client URLs); %d replicas assumed placeable", r.nc.ConnectedClusterName(), r.replicas), nil
		}
		return "", failf(fmt.Sprintf("lower replicas to at most %d or add JetStream servers", len(peers)),
			"cluster %s advertises %d servers; a bucket with %d replicas cannot be placed and KINE would retry forever", r.nc.ConnectedClusterName(), len(peers), r.replicas)
	}
	return fmt.Sprintf("cluster %s advertises %d servers for %d replicas", r.nc.ConnectedClusterName(), len(peers), r.replicas), nil
}

// peerSettle bounds how long the replicas step re-reads a bucket whose peers
// look unhealthy. A follower one entry behind the leader reports "not
// current" after every write or reconfiguration, and a scaled-up stream
// takes a moment to elect its leader: neither is a fault.
const peerSettle = 2 * time.Second

// checkBucketPeers checks that an existing bucket has a leader and all its
// replicas' servers available. A replica still catching up is only a
// warning: the stream keeps its quorum meanwhile.
func (r *runner) checkBucketPeers(ctx context.Context) (string, error) {
	replicas := r.stream.Config.Replicas
	if r.stream.Cluster == nil || replicas <= 1 {
		return fmt.Sprintf("bucket %s has 1 replica", r.bucket), nil
	}
	h := kv.PeersOf(r.stream.Cluster)
	for settle := time.Now().Add(peerSettle); !h.Settled() && time.Now().Before(settle); {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		s, err := r.js.Stream(ctx, "KV_"+r.bucket)
		if err != nil || s.CachedInfo().Cluster == nil {
			continue
		}
		r.stream = s.CachedInfo()
		h = kv.PeersOf(r.stream.Cluster)
	}
	switch {
	case h.Leader == "":
		return "", failf("restore the JetStream cluster (stream has no leader)", "bucket %s has no stream leader", r.bucket)
	case h.Offline > 0:
		return "", failf("bring the servers holding the bucket's replicas back, or lower replicas",
			"bucket %s has %d replicas but %d of them are offline (leader %s)", r.bucket, replicas, h.Offline, h.Leader)
	case h.Lagging > 0:
		r.warn("%d of bucket %s's %d replicas were still catching up with the leader after %s", h.Lagging, r.bucket, replicas, peerSettle)
	}
	return fmt.Sprintf("bucket %s: leader %s, %d of %d replicas current", r.bucket, h.Leader, h.Current, replicas), nil
}

func sizeString(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d bytes (%.2f MiB)", n, float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d bytes (%.1f KiB)", n, float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func limitString(n int64) string {
	if n < 0 {
		return "unlimited"
	}
	return sizeString(int(n))
}
