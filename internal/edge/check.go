package edge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
)

// Steps of an edge site's check, in the order they run. KINE's own steps
// (package conformance, quick or full profile) run between StepLeafAccount
// and StepHubView; StepHubView to StepLinkBack run while KINE still serves.
const (
	StepLeafUser       = "leaf user"
	StepEdgeConfig     = "edge config"
	StepEdgeDomain     = "edge domain"
	StepEdgeServer     = "edge server"
	StepLeafConnection = "leaf connection"
	StepLeafAccount    = "leaf account"
	StepHubView        = "hub view"
	StepLeafPayload    = "large object over the leaf"
	StepLinkDown       = "link down"
	StepLinkBack       = "link back"
	StepEdgeStop       = "edge stop"
)

// Budgets of the check's own steps; each is also cut at the check's
// deadline.
const (
	quickBudget  = 5 * time.Second
	serverBudget = 20 * time.Second
	leafBudget   = 20 * time.Second
	// linkBudget bounds waiting for the hub to see what the edge did while
	// the link was down, once it is back.
	linkBudget = 40 * time.Second
	stopBudget = 10 * time.Second
	// requestWait bounds one request to the hub.
	requestWait = 2 * time.Second
)

// PrivateDirPrefix starts the name of the check's private directory in the
// system's temporary directory.
const PrivateDirPrefix = "nats-k3s-edge-check-"

// Target is the site a check runs and what stands in for the files that
// live on the edge host.
type Target struct {
	Site Site
	// Creds is the content of Site.CredentialsFile.
	Creds []byte
	// TLS stands in for Site.TLS: PEM content, or paths on this machine.
	TLS TLSContent
	// Hub is a connection to the hub as a user of the account the leaf
	// connection binds to (the provider's identity). The check never
	// closes it.
	Hub *nats.Conn
	// Existing is true when the site exists already (an update): its edge
	// server may be running and joined to the hub under the same domain.
	Existing bool
}

// TLSContent is the leaf connection's TLS material for the check: PEM
// content or paths on this machine.
type TLSContent struct {
	CA, Cert, Key string
}

// Check proves a site works before anyone ships its files. It starts a
// nats-server in-process from the exact server_config (paths swapped for
// private temporary files with the same contents, a unique server name,
// and a random loopback port for the linked KINE, which has no embedded
// server and dials), waits for its leaf connection to reach the hub and
// bind to the account, runs KINE's conformance check against it with the
// site's bucket and revHistory, reads the edge bucket from the hub through
// the leaf (a 1.5 MiB object included), cuts the leaf connection while
// KINE keeps serving, brings it back and waits until the hub sees the
// writes made meanwhile. Whatever happens, the server is stopped and the
// private files removed; nothing is created in the hub account. Check
// returns within opts.Timeout plus a few seconds of grace.
func Check(ctx context.Context, t Target, opts conformance.Options) (rep *conformance.Report) {
	c := &check{
		t:    t,
		site: t.Site.WithDefaults(),
		seq:  conformance.NewSequence(opts, conformance.CredsSecrets(t.Creds)),
		opts: opts,
		log:  &serverLog{secrets: conformance.CredsSecrets(t.Creds)},
	}
	c.domain = c.site.Domain
	// The server stops and the files go whatever happened, and the verdict
	// and duration count that step too.
	defer func() {
		c.seq.Final(ctx, StepEdgeStop, stopBudget, c.stop)
		rep = c.seq.Report()
	}()
	c.run(ctx)
	return nil
}

type check struct {
	t    Target
	site Site
	seq  *conformance.Sequence
	opts conformance.Options
	log  *serverLog

	l   *local
	srv *server.Server

	// domain is the check server's JetStream domain: the site's, or a
	// private one when the site's is live on the hub (live).
	domain string
	live   bool
	hubJS  jetstream.JetStream // the edge's JetStream as the hub reaches it
	// offline are the revisions KINE wrote while the link was down.
	offline []int64
}

func (c *check) run(ctx context.Context) {
	for _, s := range []struct {
		name   string
		budget time.Duration
		fn     func(context.Context) (string, error)
	}{
		{StepLeafUser, quickBudget, c.leafUser},
		{StepEdgeConfig, quickBudget, c.config},
		{StepEdgeDomain, quickBudget, c.checkDomain},
		{StepEdgeServer, serverBudget, c.start},
		{StepLeafConnection, leafBudget, c.leafConnection},
		{StepLeafAccount, leafBudget, c.leafAccount},
	} {
		if !c.seq.Step(ctx, s.name, s.budget, s.fn) {
			return
		}
	}
	c.kine(ctx)
}

func (c *check) leafUser(ctx context.Context) (string, error) {
	if c.t.Hub == nil {
		return "", errors.New("no connection to the hub given to the check")
	}
	who, problems, err := LeafUser(c.t.Creds, c.site, c.t.Hub.Opts.InboxPrefix)
	if err != nil {
		return "", conformance.WithHint(err, "set credentials to the content of the creds file the edge host will hold, such as nats_user.<leaf>.creds")
	}
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Message
		}
		return who, conformance.WithHint(errors.New(strings.Join(msgs, "; ")),
			fmt.Sprintf("issue the leaf user with nats_user and leafnode = { jetstream_domain = %q }, which grants exactly what the link needs, with no payload limit below max_payload", c.site.Domain))
	}
	return who + ": may connect as a leaf node, no payload limit below the edge's max_payload, permissions cover the link", nil
}

// LeafUser reads the user of creds and lists what keeps it from carrying
// site's leaf connection, for hub clients with inboxPrefix: Problems on
// field "Creds", or "MaxPayload" for a payload limit below the edge's.
// who names the user; err is for creds that hold no user JWT.
func LeafUser(creds []byte, site Site, inboxPrefix string) (who string, problems []Problem, err error) {
	site = site.WithDefaults()
	if len(creds) == 0 {
		return "", nil, errors.New("no credentials for the leaf connection")
	}
	tok, err := jwt.ParseDecoratedJWT(creds)
	if err != nil {
		return "", nil, errors.New("the credentials hold no user JWT")
	}
	uc, err := jwt.DecodeUserClaims(tok)
	if err != nil {
		return "", nil, fmt.Errorf("the credentials' user JWT does not decode: %v", err)
	}
	u := accounts.UserFromClaims(uc)
	who = fmt.Sprintf("leaf user %q of account %s", u.Name, u.Account)
	add := func(field, format string, args ...any) {
		problems = append(problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !u.Expires.IsZero() && !u.Expires.After(time.Now()) {
		add("Creds", "its JWT expired at %s", u.Expires.Format(time.RFC3339))
	}
	if len(u.ConnectionTypes) > 0 && !contains(u.ConnectionTypes, jwt.ConnectionTypeLeafnode) && !contains(u.ConnectionTypes, jwt.ConnectionTypeLeafnodeWS) {
		add("Creds", "it may connect only as %s, not as a leaf node (LEAFNODE): the hub refuses the leaf connection", strings.Join(u.ConnectionTypes, ", "))
	}
	if u.MaxPayload > 0 && u.MaxPayload < int64(site.MaxPayload) {
		add("MaxPayload", "its payload limit of %d bytes is below the edge's max_payload of %d: the hub drops the leaf connection on the first larger message (a big Kubernetes object on its way to a hub mirror)",
			u.MaxPayload, site.MaxPayload)
	}
	pub, sub := accounts.LeafnodePermissions(site.Domain, inboxPrefix)
	if denied, ok := conformance.DeniedByJWT(creds, pub, sub); ok && len(denied) > 0 {
		add("Creds", "its permissions leave out what the link needs: %s", strings.Join(denied, "; "))
	}
	return who, problems, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// config writes the site's files into a private directory, with the same
// contents, and reads the server configuration the way KINE does.
func (c *check) config(ctx context.Context) (string, error) {
	l, err := prepareLocal(c.site, c.t.Creds, c.t.TLS, fmt.Sprintf("%s-check-%s", c.site.Name, c.seq.RunID()), c.log)
	if l != nil {
		c.l = l
	}
	if err != nil {
		return "", err
	}
	listens := "in-process only (dontListen)"
	if c.site.Listen != "" {
		listens = "on " + c.site.Listen
	}
	return fmt.Sprintf("server_config parsed as KINE parses it: JetStream domain %s, max_payload %d, leaf remote to %s; "+
		"the check runs it as server %s with its files in a private directory and on a random loopback port (the site listens %s)",
		c.site.Domain, l.opts.MaxPayload, strings.Join(c.site.HubURLs, ", "), l.opts.ServerName, listens), nil
}

// checkDomain refuses the hub's own domain, and finds out whether the
// site's is answered on the hub already.
func (c *check) checkDomain(ctx context.Context) (string, error) {
	hub, err := jetstream.New(c.t.Hub)
	if err != nil {
		return "", fmt.Errorf("jetstream context: %w", err)
	}
	hubDomain := "(none)"
	actx, cancel := context.WithTimeout(ctx, requestWait)
	info, err := hub.AccountInfo(actx)
	cancel()
	switch {
	case err == nil && info.Domain == c.site.Domain:
		return "", conformance.WithHint(fmt.Errorf("JetStream domain %s is the hub's own: the hub could never reach the edge's JetStream, nor mirror its bucket", c.site.Domain),
			"give the site its own jetstream_domain (the default is edge-<name>)")
	case err == nil && info.Domain != "":
		hubDomain = info.Domain
	case err != nil:
		c.seq.Warn("the hub account has no JetStream here (%v): the edge works, but the hub cannot mirror its bucket", err)
	}
	if c.hubJS, err = jetstream.NewWithDomain(c.t.Hub, c.site.Domain); err != nil {
		return "", fmt.Errorf("jetstream context for domain %s: %w", c.site.Domain, err)
	}
	if !c.domainAnswers(ctx) {
		return fmt.Sprintf("domain %s differs from the hub's (%s), and nothing on the hub answers for it yet", c.site.Domain, hubDomain), nil
	}
	if !c.t.Existing {
		return "", conformance.WithHint(fmt.Errorf("a JetStream already answers for domain %s in the hub account: another site uses it", c.site.Domain),
			"give every site its own jetstream_domain; two edges in one domain answer each other's requests and corrupt the hub's mirrors")
	}
	// Most likely this site, running: never answer for it. The check's
	// server takes a private domain, which the leaf user may not serve, so
	// the hub-facing steps cannot run.
	c.live = true
	c.domain = fmt.Sprintf("%s-check-%s", c.site.Domain, c.seq.RunID())
	c.l.opts.JetStreamDomain = c.domain
	return fmt.Sprintf("domain %s differs from the hub's (%s) and is live on the hub (the site is running): the check's server takes domain %s so as never to answer for it",
		c.site.Domain, hubDomain, c.domain), nil
}

// domainAnswers reports whether a JetStream answers for the site's domain
// in the hub account.
func (c *check) domainAnswers(ctx context.Context) bool {
	actx, cancel := context.WithTimeout(ctx, requestWait)
	defer cancel()
	_, err := c.hubJS.AccountInfo(actx)
	return err == nil
}

func (c *check) start(ctx context.Context) (string, error) {
	began := time.Now()
	if err := c.l.start(ctx); err != nil {
		return "", err
	}
	c.srv = c.l.srv
	c.seq.SetServerVersion(server.VERSION)
	return fmt.Sprintf("edge server %s (nats-server %s) ready in %s: JetStream domain %s, listening at %s for the linked KINE",
		c.l.opts.ServerName, server.VERSION, time.Since(began).Round(time.Millisecond), c.domain, c.srv.ClientURL()), nil
}

func (c *check) leafConnection(ctx context.Context) (string, error) {
	began := time.Now()
	for c.srv.NumLeafNodes() == 0 {
		select {
		case <-ctx.Done():
			return "", c.leafFailure(time.Since(began))
		case <-time.After(50 * time.Millisecond):
		}
	}
	lz, err := c.srv.Leafz(nil)
	detail := fmt.Sprintf("leaf connection up in %s", time.Since(began).Round(time.Millisecond))
	if err == nil && len(lz.Leafs) > 0 {
		l := lz.Leafs[0]
		detail += fmt.Sprintf(" to hub server %s at %s:%d", l.Name, l.IP, l.Port)
	}
	return detail, nil
}

// leafFailure says why the leaf connection did not come up, from what the
// edge server logged.
func (c *check) leafFailure(waited time.Duration) error {
	why := logged(c.log)
	err := fmt.Errorf("the edge server did not connect to the hub in %s%s", waited.Round(time.Millisecond), why)
	low := strings.ToLower(why)
	switch {
	case strings.Contains(low, "authorization") || strings.Contains(low, "authentication") || strings.Contains(low, "user jwt"):
		return conformance.WithHint(err, "the hub refused the leaf user: check that credentials are those of a user of the hub account that may connect as a leaf node "+
			"(nats_user with leafnode = { ... } allows LEAFNODE), unexpired, signed by a key the account lists")
	case strings.Contains(low, "tls") || strings.Contains(low, "x509") || strings.Contains(low, "certificate"):
		return conformance.WithHint(err, "the TLS handshake with the hub failed: check tls (the CA that signed the hub's leaf node certificate, and a client certificate if the hub verifies leaf nodes) and that hub_urls name the host the certificate is for")
	case strings.Contains(low, "wrong port") || strings.Contains(low, "client port") || strings.Contains(low, "route port"):
		return conformance.WithHint(err, "hub_urls do not point at the hub's leaf node listener (leafnodes { listen }, port 7422 by default), but at another port")
	}
	return conformance.WithHint(err, "check that hub_urls point at the hub's leaf node listener (leafnodes { listen }, port 7422 by default) and that it is reachable from where Terraform runs")
}

func (c *check) leafAccount(ctx context.Context) (string, error) {
	if c.live {
		return "", conformance.Skip(fmt.Sprintf("domain %s is live on the hub; the check's server ran in its own domain", c.site.Domain))
	}
	began := time.Now()
	for {
		if c.domainAnswers(ctx) {
			return fmt.Sprintf("the hub answers $JS.%s.API.INFO through the leaf connection after %s: it binds to the account of the provider's identity",
				c.domain, time.Since(began).Round(time.Millisecond)), nil
		}
		select {
		case <-ctx.Done():
			return "", conformance.WithHint(fmt.Errorf("the edge's JetStream (domain %s) does not answer from the hub%s", c.domain, logged(c.log)),
				"the leaf connection binds to the account of the leaf user: the provider must connect as a user of that same account, "+
					"and the leaf user must let the hub reach $JS.<domain>.API.> and answer the provider's inbox prefix (nats_user leafnode = { ... } does)")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop stops the check's server and removes its files, whatever happened.
func (c *check) stop(ctx context.Context) (string, error) {
	var parts []string
	err := c.l.stop(ctx)
	if c.l != nil && c.l.srv != nil {
		parts = append(parts, "edge server stopped")
	}
	if c.l != nil && c.l.dir != "" {
		parts = append(parts, "private files removed")
	}
	if err == nil && c.srv != nil && !c.live && c.hubJS != nil {
		// The hub forgets the leaf's interest shortly after it goes.
		for c.domainAnswers(ctx) {
			if ctx.Err() != nil {
				err = fmt.Errorf("the hub still reaches domain %s after the check's server stopped", c.domain)
				break
			}
		}
		if err == nil {
			parts = append(parts, fmt.Sprintf("the hub no longer reaches domain %s", c.domain))
		}
	}
	parts = append(parts, "nothing was created in the hub account")
	if err != nil {
		return "", conformance.WithHint(err, "this is a defect of the check; the provider process ends it when Terraform exits")
	}
	return strings.Join(parts, "; "), nil
}
