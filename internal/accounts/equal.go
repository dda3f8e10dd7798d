package accounts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/nats-io/jwt/v2"
)

// EqualClaims reports whether two claims say the same thing, ignoring what
// every encode changes or may change: iat, jti and iss, and the type and
// version the encoder fills in. Exports and imports compare as sets.
func EqualClaims(a, b jwt.Claims) (bool, error) {
	na, err := normalClaims(a)
	if err != nil {
		return false, err
	}
	nb, err := normalClaims(b)
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(na, nb), nil
}

func normalClaims(c jwt.Claims) (map[string]any, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("compare claims: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	// Numbers stay exact (revocation times, byte limits).
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("compare claims: %w", err)
	}
	for _, k := range []string{"iat", "jti", "iss"} {
		delete(m, k)
	}
	if nats, ok := m["nats"].(map[string]any); ok {
		delete(nats, "type")
		delete(nats, "version")
		for _, k := range []string{"exports", "imports"} {
			if list, ok := nats[k].([]any); ok {
				sortCanonical(list)
			}
		}
	}
	return m, nil
}

// sortCanonical orders JSON values by their encoding, which is stable for
// maps (sorted keys).
func sortCanonical(list []any) {
	key := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	slices.SortFunc(list, func(x, y any) int { return strings.Compare(key(x), key(y)) })
}
