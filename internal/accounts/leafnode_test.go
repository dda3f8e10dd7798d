package accounts

import (
	"slices"
	"testing"
)

func TestLeafnodeUser(t *testing.T) {
	acct := mustKey(t, KeyAccount)
	sk := mustKey(t, KeyAccount)
	in := User{Name: "leaf", Account: acct.PublicKey, LeafnodeDomain: "edge-store-1", Pub: Permission{Allow: []string{"app.>"}}}
	issued, err := IssueUser(in, sk.Seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UserFromJWT(issued.JWT)
	if err != nil {
		t.Fatal(err)
	}
	wantPub := []string{"app.>", "$JS.M.>", "$JSC.R.>", "_INBOX.>"}
	wantSub := []string{"$JS.edge-store-1.API.>", "$JS.FC.>"}
	if !slices.Equal(got.Pub.Allow, wantPub) || !slices.Equal(got.Sub.Allow, wantSub) {
		t.Errorf("permissions pub %q sub %q, want %q and %q", got.Pub.Allow, got.Sub.Allow, wantPub, wantSub)
	}
	if !slices.Equal(got.ConnectionTypes, []string{"LEAFNODE"}) || got.AllowResponses != nil || got.MaxPayload != 0 {
		t.Errorf("connection types %q, responses %+v, max payload %d; want LEAFNODE only, none, no limit", got.ConnectionTypes, got.AllowResponses, got.MaxPayload)
	}

	// A custom inbox prefix for the hub's clients, a payload limit, and
	// connection types that include a leaf node.
	in.LeafnodeInboxPrefix, in.MaxPayload, in.ConnectionTypes = "_INBOX_hub.", 16<<20, []string{"LEAFNODE_WS", "STANDARD"}
	issued, err = IssueUser(in, sk.Seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = UserFromJWT(issued.JWT); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got.Pub.Allow, "_INBOX_hub.>") || slices.Contains(got.Pub.Allow, "_INBOX.>") || got.MaxPayload != 16<<20 ||
		!slices.Equal(got.ConnectionTypes, []string{"LEAFNODE_WS", "STANDARD"}) {
		t.Errorf("got pub %q, max payload %d, connection types %q", got.Pub.Allow, got.MaxPayload, got.ConnectionTypes)
	}

	for name, edit := range map[string]func(*User){
		"domain with a wildcard":   func(u *User) { u.LeafnodeDomain = "edge.>" },
		"domain with a dot":        func(u *User) { u.LeafnodeDomain = "a.b" },
		"inbox with a wildcard":    func(u *User) { u.LeafnodeInboxPrefix = "_INBOX.*" },
		"no leaf connection type":  func(u *User) { u.ConnectionTypes = []string{"STANDARD"} },
		"hub domain with a dot":    func(u *User) { u.LeafnodeHubDomain = "a.b" },
		"hub domain is the leaf's": func(u *User) { u.LeafnodeHubDomain = u.LeafnodeDomain },
		"negative payload":         func(u *User) { u.MaxPayload = -1 },
	} {
		u := in
		edit(&u)
		if _, err := IssueUser(u, sk.Seed, nil); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// Between two regions the link carries mirrors both ways: each side gets
// the other's mirror API, flow control, deliveries and replies.
func TestRegionLinkUser(t *testing.T) {
	acct := mustKey(t, KeyAccount)
	sk := mustKey(t, KeyAccount)
	issued, err := IssueUser(User{Name: "link", Account: acct.PublicKey, LeafnodeDomain: "region-b", LeafnodeHubDomain: "region-a"}, sk.Seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UserFromJWT(issued.JWT)
	if err != nil {
		t.Fatal(err)
	}
	api := func(d string) []string {
		p := "$JS." + d + ".API."
		return []string{p + "STREAM.INFO.*", p + "STREAM.UPDATE.*", p + "CONSUMER.CREATE.*", p + "CONSUMER.CREATE.*.>",
			p + "CONSUMER.DELETE.*.*", p + "CONSUMER.MSG.NEXT.*.*"}
	}
	both := []string{"$JS.FC.>", "$JS.M.>", "$JSC.R.>", "_INBOX.>"}
	if wantPub, wantSub := append(api("region-a"), both...), append(api("region-b"), both...); !slices.Equal(got.Pub.Allow, wantPub) || !slices.Equal(got.Sub.Allow, wantSub) {
		t.Errorf("permissions pub %q sub %q, want %q and %q", got.Pub.Allow, got.Sub.Allow, wantPub, wantSub)
	}
	if !slices.Equal(got.ConnectionTypes, []string{"LEAFNODE"}) {
		t.Errorf("connection types %q", got.ConnectionTypes)
	}
}
