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

func checkLeafnode(user, domain, inboxPrefix string) error {
	if !validDomain.MatchString(domain) {
		return fmt.Errorf("user %q: leaf node JetStream domain %q: only letters, digits, _ and - are allowed", user, domain)
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
