package accounts

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// revokeForever is the revocation timestamp written for a zero time: later
// than any iat, so every JWT of the key is rejected.
const revokeForever = math.MaxInt64

// AccountClaims builds the unsigned account claims for a, checked by the jwt
// library's validation. Exports and imports are sorted as Encode would.
func AccountClaims(a Account) (*jwt.AccountClaims, error) {
	if !nkeys.IsValidPublicAccountKey(a.PublicKey) {
		return nil, fmt.Errorf("account %q: %q is not an account public key", a.Name, a.PublicKey)
	}
	if a.JetStream != nil && len(a.JetStreamTiers) > 0 {
		return nil, fmt.Errorf("account %q: %w", a.Name, ErrTieredAndUntiered)
	}
	ac := jwt.NewAccountClaims(a.PublicKey)
	ac.Name = a.Name
	ac.Description = a.Description
	for _, k := range a.SigningKeys {
		if !nkeys.IsValidPublicAccountKey(k) {
			return nil, fmt.Errorf("account %q: signing key %q is not an account public key", a.Name, k)
		}
		ac.SigningKeys.Add(k)
	}

	l := &ac.Limits
	l.Conn = limitOut(a.Limits.Connections)
	l.LeafNodeConn = limitOut(a.Limits.LeafNodeConnections)
	l.Subs = limitOut(a.Limits.Subscriptions)
	l.Data = limitOut(a.Limits.Data)
	l.Payload = limitOut(a.Limits.Payload)
	l.DisallowBearer = !a.AllowBearer

	var errs []error
	if a.JetStream != nil {
		js, err := jsOut(*a.JetStream)
		if err != nil {
			errs = append(errs, fmt.Errorf("JetStream: %w", err))
		}
		l.JetStreamLimits = js
	}
	for _, tier := range slices.Sorted(maps.Keys(a.JetStreamTiers)) {
		if !validTier(tier) {
			errs = append(errs, fmt.Errorf("JetStreamTiers: tier %q: want R1 to R5 (the replica count)", tier))
			continue
		}
		js, err := jsOut(a.JetStreamTiers[tier])
		if err != nil {
			errs = append(errs, fmt.Errorf("JetStreamTiers[%s]: %w", tier, err))
		}
		l.JetStreamTieredLimits[tier] = js
	}

	for pk, at := range a.RevokedUsers {
		if pk != jwt.All && !nkeys.IsValidPublicUserKey(pk) {
			errs = append(errs, fmt.Errorf("RevokedUsers: %q is not a user public key", pk))
			continue
		}
		ts := int64(revokeForever)
		if !at.IsZero() {
			ts = at.Unix()
		}
		if ac.Revocations == nil {
			ac.Revocations = jwt.RevocationList{}
		}
		ac.Revocations[pk] = ts
	}

	for i, e := range a.Exports {
		je, err := exportOut(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("Exports[%d]: %w", i, err))
			continue
		}
		ac.Exports.Add(je)
	}
	for i, im := range a.Imports {
		ji, err := importOut(im)
		if err != nil {
			errs = append(errs, fmt.Errorf("Imports[%d]: %w", i, err))
			continue
		}
		ac.Imports.Add(ji)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("account %q: %w", a.Name, joinErrs(errs))
	}
	sort.Sort(ac.Exports)
	sort.Sort(ac.Imports)
	if err := validate(ac); err != nil {
		return nil, fmt.Errorf("account %q: %w", a.Name, err)
	}
	return ac, nil
}

// AccountFromJWT decodes an account JWT (checking its signature) into the
// plain form.
func AccountFromJWT(token string) (Account, error) {
	ac, err := jwt.DecodeAccountClaims(token)
	if err != nil {
		return Account{}, fmt.Errorf("account jwt: %w", err)
	}
	return AccountFromClaims(ac), nil
}

// AccountFromClaims is the inverse of AccountClaims, for reading what a
// server stores. Values that mean "unlimited" in several spellings read back
// as nil; signing keys come back sorted, exports and imports in JWT order.
func AccountFromClaims(ac *jwt.AccountClaims) Account {
	a := Account{
		Name:        ac.Name,
		PublicKey:   ac.Subject,
		Description: ac.Description,
		AllowBearer: !ac.Limits.DisallowBearer,
		Limits: Limits{
			Connections:         limitIn(ac.Limits.Conn),
			LeafNodeConnections: limitIn(ac.Limits.LeafNodeConn),
			Subscriptions:       limitIn(ac.Limits.Subs),
			Data:                limitIn(ac.Limits.Data),
			Payload:             limitIn(ac.Limits.Payload),
		},
	}
	if keys := ac.SigningKeys.Keys(); len(keys) > 0 {
		slices.Sort(keys)
		a.SigningKeys = keys
	}
	if ac.Limits.JetStreamLimits != (jwt.JetStreamLimits{}) {
		js := jsIn(ac.Limits.JetStreamLimits)
		a.JetStream = &js
	}
	for tier, l := range ac.Limits.JetStreamTieredLimits {
		if a.JetStreamTiers == nil {
			a.JetStreamTiers = map[string]JetStreamLimits{}
		}
		a.JetStreamTiers[tier] = jsIn(l)
	}
	for pk, ts := range ac.Revocations {
		if a.RevokedUsers == nil {
			a.RevokedUsers = map[string]time.Time{}
		}
		var at time.Time
		if ts != revokeForever {
			at = time.Unix(ts, 0).UTC()
		}
		a.RevokedUsers[pk] = at
	}
	for _, e := range ac.Exports {
		a.Exports = append(a.Exports, exportIn(e))
	}
	for _, im := range ac.Imports {
		a.Imports = append(a.Imports, importIn(im))
	}
	return a
}

func validTier(t string) bool {
	return len(t) == 2 && t[0] == 'R' && t[1] >= '1' && t[1] <= '5'
}

// limitOut: nil is unlimited.
func limitOut(v *int64) int64 {
	if v == nil {
		return jwt.NoLimit
	}
	return *v
}

// limitIn: any negative value is unlimited.
func limitIn(v int64) *int64 {
	if v < 0 {
		return nil
	}
	return Int64(v)
}

// positiveIn is for limits servers treat as unlimited at 0 too.
func positiveIn(v int64) *int64 {
	if v <= 0 {
		return nil
	}
	return Int64(v)
}

func jsOut(l JetStreamLimits) (jwt.JetStreamLimits, error) {
	var errs []error
	positive := func(name string, v *int64, unset int64) int64 {
		if v == nil {
			return unset
		}
		if *v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be > 0 when set (leave it unset for unlimited)", name))
		}
		return *v
	}
	storage := func(name string, v *int64) int64 {
		if v == nil {
			return jwt.NoLimit
		}
		if *v < 0 {
			errs = append(errs, fmt.Errorf("%s must be >= 0 when set (leave it unset for unlimited)", name))
		}
		return *v
	}
	out := jwt.JetStreamLimits{
		MemoryStorage:        storage("MemoryStorage", l.MemoryStorage),
		DiskStorage:          storage("DiskStorage", l.DiskStorage),
		Streams:              positive("Streams", l.Streams, jwt.NoLimit),
		Consumer:             positive("Consumers", l.Consumers, jwt.NoLimit),
		MaxAckPending:        positive("MaxAckPending", l.MaxAckPending, 0),
		MemoryMaxStreamBytes: positive("MemoryMaxStreamBytes", l.MemoryMaxStreamBytes, 0),
		DiskMaxStreamBytes:   positive("DiskMaxStreamBytes", l.DiskMaxStreamBytes, 0),
		MaxBytesRequired:     l.MaxBytesRequired,
	}
	return out, joinErrs(errs)
}

func jsIn(l jwt.JetStreamLimits) JetStreamLimits {
	return JetStreamLimits{
		MemoryStorage:        limitIn(l.MemoryStorage),
		DiskStorage:          limitIn(l.DiskStorage),
		Streams:              positiveIn(l.Streams),
		Consumers:            positiveIn(l.Consumer),
		MaxAckPending:        positiveIn(l.MaxAckPending),
		MemoryMaxStreamBytes: positiveIn(l.MemoryMaxStreamBytes),
		DiskMaxStreamBytes:   positiveIn(l.DiskMaxStreamBytes),
		MaxBytesRequired:     l.MaxBytesRequired,
	}
}
