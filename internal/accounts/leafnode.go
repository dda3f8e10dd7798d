package accounts

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// validDomain is what a JetStream domain may be; anything else could
// smuggle wildcards into the derived subjects.
var validDomain = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// LeafnodePermissions are the subjects the hub user of an edge site's leaf
// connection needs, for an edge in JetStream domain domain (nats_k3s_edge),
// whose JetStream the hub's clients reach with replies to inboxPrefix
// ("_INBOX" when empty). A leaf user's permissions read from the leaf's
// side, and both ends enforce them: publish is what the edge may send into
// the hub, subscribe what the hub may send to the edge.
//
//   - subscribe $JS.<domain>.API.>: the hub's clients and mirrors reach the
//     edge's JetStream through its domain, and through no other: a site
//     cannot take requests meant for another;
//   - subscribe $JS.FC.>: a hub mirror answers its edge consumer's flow
//     control (without it a mirror stalls once the link has dropped);
//   - publish $JS.M.>: the edge consumer of a hub mirror delivers the
//     bucket's messages to the mirror;
//   - publish $JSC.R.>: the edge answers the requests the hub's servers
//     make for mirrors (consumer creation);
//   - publish <inboxPrefix>.>: the edge answers the hub's clients. Reply
//     permissions (allow_responses) do not help here: the edge end of a
//     leaf connection does not track replies.
//
// The server itself adds denies for the hub's own JetStream API on a link
// between domains.
func LeafnodePermissions(domain, inboxPrefix string) (pub, sub []string) {
	if inboxPrefix == "" {
		inboxPrefix = k3s.DefaultInboxPrefix
	}
	pub = []string{"$JS.M.>", "$JSC.R.>", strings.TrimSuffix(inboxPrefix, ".") + ".>"}
	sub = []string{"$JS." + domain + ".API.>", "$JS.FC.>"}
	return pub, sub
}

// RegionLinkPermissions are the subjects the hub user of a leaf
// connection between two regions needs: the leaf side in JetStream domain
// leafDomain, the hub in hubDomain, each region managed through its own
// servers, and KV buckets mirrored across the link both ways (a region's
// datastore into the other, and back after a failover). Unlike an edge's
// link (LeafnodePermissions), neither side may use the other's JetStream
// beyond what a cross-domain mirror, the provider's mirror check,
// promotion and sealing send (found by tracing the link, nats-server
// 2.15): stream info and update, consumer create, delete and next.
// Each way:
//
//   - $JS.<other domain>.API.{STREAM.INFO,STREAM.UPDATE,CONSUMER.CREATE,
//     CONSUMER.DELETE,CONSUMER.MSG.NEXT}.<stream>[...]: a mirror creates
//     its consumer on the source (CONSUMER.CREATE.<stream>, or with name
//     and filter), the mirror check reads the source and its messages
//     (ordered consumers: create, next, delete), a promotion deletes the
//     mirror's consumer and seals the source (a stream update). Creating,
//     deleting and purging streams, and deleting messages, are left out;
//   - $JS.FC.>: a mirror (and the check's readers) answers its source
//     consumer's flow control;
//   - $JS.M.>: a source consumer delivers to its mirror;
//   - $JSC.R.>: the source's server answers the mirror's consumer request;
//   - <inboxPrefix>.>: replies to clients, and the deliveries of the
//     check's readers. Reply permissions do not help, as for an edge.
//
// Publish (leaf to hub) reaches hubDomain, subscribe (hub to leaf)
// leafDomain; the rest is the same both ways. Acks ($JS.ACK) never cross:
// mirrors and the check's readers do not ack.
func RegionLinkPermissions(leafDomain, hubDomain, inboxPrefix string) (pub, sub []string) {
	if inboxPrefix == "" {
		inboxPrefix = k3s.DefaultInboxPrefix
	}
	both := []string{"$JS.FC.>", "$JS.M.>", "$JSC.R.>", strings.TrimSuffix(inboxPrefix, ".") + ".>"}
	return append(mirrorAPI(hubDomain), both...), append(mirrorAPI(leafDomain), both...)
}

// mirrorAPI is the part of domain's JetStream API that mirrors of its
// streams in another domain use.
func mirrorAPI(domain string) []string {
	api := "$JS." + domain + ".API."
	return []string{
		api + "STREAM.INFO.*", api + "STREAM.UPDATE.*",
		api + "CONSUMER.CREATE.*", api + "CONSUMER.CREATE.*.>",
		api + "CONSUMER.DELETE.*.*", api + "CONSUMER.MSG.NEXT.*.*",
	}
}

func checkLeafnode(user, domain, hubDomain, inboxPrefix string) error {
	if !validDomain.MatchString(domain) {
		return fmt.Errorf("user %q: leaf node JetStream domain %q: only letters, digits, _ and - are allowed", user, domain)
	}
	if hubDomain != "" && !validDomain.MatchString(hubDomain) {
		return fmt.Errorf("user %q: hub JetStream domain %q: only letters, digits, _ and - are allowed", user, hubDomain)
	}
	if hubDomain == domain {
		return fmt.Errorf("user %q: the hub's JetStream domain is the leaf's (%q): a link between regions joins two domains", user, domain)
	}
	return checkInboxPrefix(user, "leaf node", inboxPrefix)
}

// checkInboxPrefix accepts a literal subject prefix.
func checkInboxPrefix(user, what, p string) error {
	if p != "" && (strings.ContainsAny(p, "*> \t") || strings.HasPrefix(p, ".") || strings.Contains(p, "..")) {
		return fmt.Errorf("user %q: %s inbox prefix %q is not a literal subject", user, what, p)
	}
	return nil
}
