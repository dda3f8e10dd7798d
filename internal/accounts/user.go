package accounts

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// User is the plain form of a user JWT.
type User struct {
	Name string
	// PublicKey is the user identity (the JWT subject). IssueUser fills it
	// in from the user seed.
	PublicKey string
	// Account is the public key of the account the user belongs to; the
	// JWT's issuer_account, since an account signing key signs it.
	Account string

	Pub, Sub Permission
	// AllowResponses lets the user publish replies to requests it received
	// without a publish permission for the reply subject; nil disallows.
	AllowResponses *ResponsePermission
	// Bearer makes the JWT a bearer token (no nonce signature needed). The
	// account must allow bearer tokens.
	Bearer bool
	// Expires is when the JWT stops being valid; zero for never.
	Expires time.Time
	// ConnectionTypes restricts how the user may connect (STANDARD,
	// WEBSOCKET, LEAFNODE, LEAFNODE_WS, MQTT, MQTT_WS, IN_PROCESS); empty
	// allows all.
	ConnectionTypes []string
	// SourceNetworks are CIDRs the user may connect from; empty allows all.
	SourceNetworks []string

	// KineBucket, when set, adds exactly the permissions KINE needs for that
	// bucket (k3s.Permissions) to Pub and Sub. A JWT does not remember them
	// apart: UserFromClaims returns them merged into Pub and Sub.
	KineBucket string
	// KineInboxPrefix is the inbox prefix of the KINE client; "_INBOX" when
	// empty.
	KineInboxPrefix string

	// LeafnodeDomain, when set, makes the user the hub identity of an edge
	// site's leaf connection, for an edge in that JetStream domain: it adds
	// LeafnodePermissions to Pub and Sub and restricts ConnectionTypes to
	// LEAFNODE when they are empty. UserFromClaims returns it all merged,
	// as for KineBucket.
	LeafnodeDomain string
	// LeafnodeHubDomain, when set with LeafnodeDomain, makes the link one
	// between two regions, the hub in this JetStream domain, carrying
	// mirrors both ways: RegionLinkPermissions instead of
	// LeafnodePermissions.
	LeafnodeHubDomain string
	// LeafnodeInboxPrefix is the inbox prefix of the clients whose
	// requests cross the link; "_INBOX" when empty.
	LeafnodeInboxPrefix string
	// MaxPayload limits the size of a message the user may publish; 0 for
	// no limit of the user's own (the account's and server's still apply).
	MaxPayload int64
}

// Permission allows and denies subjects. An empty Allow allows everything
// not denied.
type Permission struct {
	Allow []string
	Deny  []string
}

// ResponsePermission bounds replies: MaxMsgs per request and how long after
// the request (server defaults when zero: 1 message, 2 minutes).
type ResponsePermission struct {
	MaxMsgs int
	TTL     time.Duration
}

// IssuedUser is a signed user. Seed and Creds are secrets.
type IssuedUser struct {
	PublicKey string
	Seed      []byte
	JWT       string
	// Creds holds JWT and seed in the decorated .creds format.
	Creds []byte
}

var connectionTypes = []string{
	jwt.ConnectionTypeStandard, jwt.ConnectionTypeWebsocket,
	jwt.ConnectionTypeLeafnode, jwt.ConnectionTypeLeafnodeWS,
	jwt.ConnectionTypeMqtt, jwt.ConnectionTypeMqttWS,
	jwt.ConnectionTypeInProcess,
}

// bucketName is what JetStream accepts as a KV bucket name; anything else
// could smuggle wildcards into the derived subjects.
var bucketName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// UserClaims builds the unsigned claims for u, checked by the jwt library's
// validation. u.PublicKey must be set.
func UserClaims(u User) (*jwt.UserClaims, error) {
	if !nkeys.IsValidPublicUserKey(u.PublicKey) {
		return nil, fmt.Errorf("user %q: %q is not a user public key", u.Name, u.PublicKey)
	}
	if !nkeys.IsValidPublicAccountKey(u.Account) {
		return nil, fmt.Errorf("user %q: account %q is not an account public key", u.Name, u.Account)
	}
	uc := jwt.NewUserClaims(u.PublicKey)
	uc.Name = u.Name
	uc.IssuerAccount = u.Account

	pub, sub := slices.Clone(u.Pub.Allow), slices.Clone(u.Sub.Allow)
	if u.KineBucket != "" {
		if !bucketName.MatchString(u.KineBucket) {
			return nil, fmt.Errorf("user %q: kine bucket %q: only letters, digits, _ and - are allowed", u.Name, u.KineBucket)
		}
		if err := checkInboxPrefix(u.Name, "kine", u.KineInboxPrefix); err != nil {
			return nil, err
		}
		kp, ks := k3s.Permissions(u.KineBucket, u.KineInboxPrefix)
		pub, sub = append(pub, kp...), append(sub, ks...)
	}
	connTypes := u.ConnectionTypes
	if u.LeafnodeDomain != "" {
		if err := checkLeafnode(u.Name, u.LeafnodeDomain, u.LeafnodeHubDomain, u.LeafnodeInboxPrefix); err != nil {
			return nil, err
		}
		lp, ls := LeafnodePermissions(u.LeafnodeDomain, u.LeafnodeInboxPrefix)
		if u.LeafnodeHubDomain != "" {
			lp, ls = RegionLinkPermissions(u.LeafnodeDomain, u.LeafnodeHubDomain, u.LeafnodeInboxPrefix)
		}
		pub, sub = append(pub, lp...), append(sub, ls...)
		switch {
		case len(connTypes) == 0:
			connTypes = []string{jwt.ConnectionTypeLeafnode}
		case !slices.Contains(connTypes, jwt.ConnectionTypeLeafnode) && !slices.Contains(connTypes, jwt.ConnectionTypeLeafnodeWS):
			return nil, fmt.Errorf("user %q: connection types %s leave out LEAFNODE, so the hub would refuse the leaf connection", u.Name, strings.Join(connTypes, ", "))
		}
	}
	if u.MaxPayload < 0 {
		return nil, fmt.Errorf("user %q: max payload %d is negative", u.Name, u.MaxPayload)
	}
	if u.MaxPayload > 0 {
		uc.Limits.Payload = u.MaxPayload
	}
	uc.Pub.Allow.Add(pub...)
	uc.Pub.Deny.Add(u.Pub.Deny...)
	uc.Sub.Allow.Add(sub...)
	uc.Sub.Deny.Add(u.Sub.Deny...)
	if r := u.AllowResponses; r != nil {
		uc.Resp = &jwt.ResponsePermission{MaxMsgs: r.MaxMsgs, Expires: r.TTL}
	}
	uc.BearerToken = u.Bearer
	if !u.Expires.IsZero() {
		uc.Expires = u.Expires.Unix()
	}
	for _, t := range connTypes {
		if !slices.Contains(connectionTypes, t) {
			return nil, fmt.Errorf("user %q: connection type %q: want one of %s", u.Name, t, strings.Join(connectionTypes, ", "))
		}
		uc.AllowedConnectionTypes.Add(t)
	}
	uc.Src.Add(u.SourceNetworks...)
	if err := validate(uc); err != nil {
		return nil, fmt.Errorf("user %q: %w", u.Name, err)
	}
	return uc, nil
}

// UserFromJWT decodes a user JWT (checking its signature) into the plain
// form.
func UserFromJWT(token string) (User, error) {
	uc, err := jwt.DecodeUserClaims(token)
	if err != nil {
		return User{}, fmt.Errorf("user jwt: %w", err)
	}
	return UserFromClaims(uc), nil
}

// UserFromClaims is the inverse of UserClaims, except that KINE permissions
// come back as part of Pub and Sub.
func UserFromClaims(uc *jwt.UserClaims) User {
	u := User{
		Name:            uc.Name,
		PublicKey:       uc.Subject,
		Account:         uc.IssuerAccount,
		Pub:             Permission{Allow: nilIfEmpty(uc.Pub.Allow), Deny: nilIfEmpty(uc.Pub.Deny)},
		Sub:             Permission{Allow: nilIfEmpty(uc.Sub.Allow), Deny: nilIfEmpty(uc.Sub.Deny)},
		Bearer:          uc.BearerToken,
		ConnectionTypes: nilIfEmpty(uc.AllowedConnectionTypes),
		SourceNetworks:  nilIfEmpty(uc.Src),
	}
	if u.Account == "" {
		// Signed by the account identity key itself.
		u.Account = uc.Issuer
	}
	if uc.Limits.Payload > 0 {
		u.MaxPayload = uc.Limits.Payload
	}
	if uc.Resp != nil {
		u.AllowResponses = &ResponsePermission{MaxMsgs: uc.Resp.MaxMsgs, TTL: uc.Resp.Expires}
	}
	if uc.Expires != 0 {
		u.Expires = time.Unix(uc.Expires, 0).UTC()
	}
	return u
}

func nilIfEmpty[S ~[]string](s S) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone([]string(s))
}

// IssueUser signs u with the account signing key seed. userSeed is the
// user's own seed; nil makes a fresh key (for short-lived credentials).
// Errors never contain a seed.
func IssueUser(u User, accountSigningSeed, userSeed []byte) (*IssuedUser, error) {
	signer, err := ParseSeed(accountSigningSeed, KeyAccount)
	if err != nil {
		return nil, fmt.Errorf("user %q: account signing key: %w", u.Name, err)
	}
	defer signer.Wipe()
	var key Key
	if userSeed == nil {
		if key, err = NewKey(KeyUser); err != nil {
			return nil, fmt.Errorf("user %q: %w", u.Name, err)
		}
	} else {
		pub, err := PublicKeyOf(userSeed, KeyUser)
		if err != nil {
			return nil, fmt.Errorf("user %q: %w", u.Name, err)
		}
		key = Key{PublicKey: pub, Seed: bytes.Clone(bytes.TrimSpace(userSeed))}
	}
	if u.PublicKey != "" && u.PublicKey != key.PublicKey {
		return nil, fmt.Errorf("user %q: the user seed is for %s, not %s", u.Name, key.PublicKey, u.PublicKey)
	}
	u.PublicKey = key.PublicKey
	if !u.Expires.IsZero() && !u.Expires.After(time.Now()) {
		return nil, fmt.Errorf("user %q: expiry %s is not in the future", u.Name, u.Expires.UTC().Format(time.RFC3339))
	}
	uc, err := UserClaims(u)
	if err != nil {
		return nil, err
	}
	if signerPub, _ := signer.PublicKey(); signerPub == u.Account {
		// Signed by the account identity key: issuer_account must stay empty.
		uc.IssuerAccount = ""
	}
	tok, err := uc.Encode(signer)
	if err != nil {
		return nil, fmt.Errorf("encode user %q: %w", u.Name, err)
	}
	creds, err := FormatCreds(tok, key.Seed)
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", u.Name, err)
	}
	return &IssuedUser{PublicKey: key.PublicKey, Seed: key.Seed, JWT: tok, Creds: creds}, nil
}
