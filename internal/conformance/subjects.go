package conformance

import (
	"fmt"
	"strings"

	"github.com/nats-io/jwt/v2"
)

// covers reports whether every subject that need matches is also matched by
// pattern (pattern is at least as wide as need).
func covers(pattern, need string) bool {
	p, n := strings.Split(pattern, "."), strings.Split(need, ".")
	for i, pt := range p {
		if pt == ">" {
			return i < len(n)
		}
		if i >= len(n) {
			return false
		}
		switch {
		case n[i] == ">":
			return false
		case pt == "*":
		case pt != n[i]:
			return false
		}
	}
	return len(p) == len(n)
}

// intersects reports whether some subject matches both patterns.
func intersects(a, b string) bool {
	x, y := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; ; i++ {
		switch {
		case i == len(x) || i == len(y):
			return len(x) == len(y)
		case x[i] == ">" || y[i] == ">":
			return true
		case x[i] == "*" || y[i] == "*" || x[i] == y[i]:
		default:
			return false
		}
	}
}

// jwtVerdict says which needed subjects a user JWT's own permissions deny.
// It returns nil when the JWT says nothing usable: no permissions of its
// own (then the account's defaults or a scoped signing key decide, which
// only the live probes can see).
func jwtVerdict(creds []byte, pub, sub []string) (denied []string, ok bool) {
	tok, err := jwt.ParseDecoratedJWT(creds)
	if err != nil {
		return nil, false
	}
	uc, err := jwt.DecodeUserClaims(tok)
	if err != nil {
		return nil, false
	}
	p := uc.Permissions
	if len(p.Pub.Allow) == 0 && len(p.Pub.Deny) == 0 && len(p.Sub.Allow) == 0 && len(p.Sub.Deny) == 0 {
		return nil, false
	}
	check := func(kind string, needs []string, perm jwt.Permission) {
		for _, n := range needs {
			if why := permits(perm, n); why != "" {
				denied = append(denied, fmt.Sprintf("%s %q (%s)", kind, n, why))
			}
		}
	}
	check("publish", pub, p.Pub)
	check("subscribe", sub, p.Sub)
	return denied, true
}

// permits returns why perm does not allow all of need, or "".
func permits(perm jwt.Permission, need string) string {
	if len(perm.Allow) > 0 {
		allowed := false
		for _, a := range perm.Allow {
			if covers(a, need) {
				allowed = true
				break
			}
		}
		if !allowed {
			return "not in the user's allow list"
		}
	}
	for _, d := range perm.Deny {
		if intersects(d, need) {
			return fmt.Sprintf("denied by %q", d)
		}
	}
	return ""
}
