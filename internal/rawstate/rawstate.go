// Package rawstate turns a resource's state as Terraform stores it (JSON)
// into the msgpack value the plugin protocol passes around, in one pass.
//
// terraform-plugin-go decodes JSON state token by token and decodes every
// nested value again from its raw bytes, then builds a tftypes.Value only to
// encode it: about a millisecond for one small resource, paid for every
// resource on every refresh. The answer here is the same value, encoded with
// the same msgpack calls; whatever it does not handle exactly (tuples,
// dynamic values, a value of the wrong JSON kind) is an error, and the
// caller takes terraform-plugin-go's path instead.
package rawstate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"
)

// ErrUnsupported marks a value this package leaves to terraform-plugin-go.
// Errors name types and attributes, never values: a state holds secrets.
var ErrUnsupported = errors.New("not handled here")

// ToMsgPack encodes the JSON state data, of type typ, as msgpack.
// Attributes the type does not have are skipped when ignoreUndefined is
// set (a state written by an older schema), an error otherwise.
func ToMsgPack(data []byte, typ tftypes.Type, ignoreUndefined bool) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode state JSON: %w", err)
	}
	// encoding/json keeps the last of repeated keys, where
	// terraform-plugin-go reads (and checks) each.
	if members(v) != separators(data) {
		return nil, fmt.Errorf("%w: repeated object keys, or more than one value", ErrUnsupported)
	}
	var buf bytes.Buffer
	buf.Grow(len(data))
	e := encoder{enc: msgpack.NewEncoder(&buf), ignoreUndefined: ignoreUndefined}
	if err := e.value(v, typ); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type encoder struct {
	enc             *msgpack.Encoder
	ignoreUndefined bool
}

func (e encoder) value(v any, typ tftypes.Type) error {
	if v == nil {
		return e.enc.EncodeNil()
	}
	switch {
	case typ.Is(tftypes.String):
		return e.string(v)
	case typ.Is(tftypes.Number):
		return e.number(v)
	case typ.Is(tftypes.Bool):
		return e.bool(v)
	case typ.Is(tftypes.List{}):
		return e.elements(v, typ.(tftypes.List).ElementType)
	case typ.Is(tftypes.Set{}):
		return e.elements(v, typ.(tftypes.Set).ElementType)
	case typ.Is(tftypes.Map{}):
		return e.mapValue(v, typ.(tftypes.Map).ElementType)
	case typ.Is(tftypes.Object{}):
		return e.object(v, typ.(tftypes.Object).AttributeTypes)
	}
	return fmt.Errorf("%w: type %s", ErrUnsupported, typ)
}

// string takes what terraform-plugin-go takes for a string: a string, a
// number's text, or a bool's.
func (e encoder) string(v any) error {
	switch v := v.(type) {
	case string:
		return e.enc.EncodeString(v)
	case json.Number:
		return e.enc.EncodeString(string(v))
	case bool:
		return e.enc.EncodeString(strconv.FormatBool(v))
	}
	return fmt.Errorf("%w: %T as a string", ErrUnsupported, v)
}

// number encodes as terraform-plugin-go does: an int64 when the number is
// one, a float64 when that holds it exactly, its text otherwise.
func (e encoder) number(v any) error {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case string:
		s = v
	default:
		return fmt.Errorf("%w: %T as a number", ErrUnsupported, v)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return e.enc.EncodeInt(i)
	}
	n, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		return fmt.Errorf("%w: a string that is not a number", ErrUnsupported)
	}
	if n.IsInf() {
		return e.enc.EncodeFloat64(math.Inf(n.Sign()))
	}
	if i, acc := n.Int64(); acc == big.Exact {
		return e.enc.EncodeInt(i)
	}
	if f, acc := n.Float64(); acc == big.Exact && !n.IsInt() {
		return e.enc.EncodeFloat64(f)
	}
	return e.enc.EncodeString(n.Text('f', -1))
}

func (e encoder) bool(v any) error {
	switch v := v.(type) {
	case bool:
		return e.enc.EncodeBool(v)
	case string:
		switch v {
		case "true", "1":
			return e.enc.EncodeBool(true)
		case "false", "0":
			return e.enc.EncodeBool(false)
		}
	case json.Number:
		switch v {
		case "1":
			return e.enc.EncodeBool(true)
		case "0":
			return e.enc.EncodeBool(false)
		}
	}
	return fmt.Errorf("%w: %T as a bool", ErrUnsupported, v)
}

func (e encoder) elements(v any, elem tftypes.Type) error {
	l, ok := v.([]any)
	if !ok || elem.Is(tftypes.DynamicPseudoType) {
		return fmt.Errorf("%w: %T as a list or set of %s", ErrUnsupported, v, elem)
	}
	if err := e.enc.EncodeArrayLen(len(l)); err != nil {
		return err
	}
	for _, x := range l {
		if err := e.value(x, elem); err != nil {
			return err
		}
	}
	return nil
}

// mapValue writes keys in order; terraform-plugin-go writes them in Go's
// map order, and msgpack readers do not care.
func (e encoder) mapValue(v any, elem tftypes.Type) error {
	m, ok := v.(map[string]any)
	if !ok || elem.Is(tftypes.DynamicPseudoType) {
		return fmt.Errorf("%w: %T as a map of %s", ErrUnsupported, v, elem)
	}
	if err := e.enc.EncodeMapLen(len(m)); err != nil {
		return err
	}
	for _, k := range sortedKeys(m) {
		if err := e.enc.EncodeString(k); err != nil {
			return err
		}
		if err := e.value(m[k], elem); err != nil {
			return err
		}
	}
	return nil
}

// object writes every attribute of the type, in name order, null where the
// JSON has none.
func (e encoder) object(v any, attrs map[string]tftypes.Type) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%w: %T as an object", ErrUnsupported, v)
	}
	if !e.ignoreUndefined {
		for k := range m {
			if _, ok := attrs[k]; !ok {
				return fmt.Errorf("unsupported attribute %q", k)
			}
		}
	}
	if err := e.enc.EncodeMapLen(len(attrs)); err != nil {
		return err
	}
	for _, k := range sortedKeys(attrs) {
		if err := e.enc.EncodeString(k); err != nil {
			return err
		}
		if err := e.value(m[k], attrs[k]); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// members counts the object members in a decoded value.
func members(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		n = len(v)
		for _, x := range v {
			n += members(x)
		}
	case []any:
		for _, x := range v {
			n += members(x)
		}
	}
	return n
}

// separators counts the colons outside strings in JSON text: one for each
// object member written.
func separators(data []byte) int {
	n, inString, escaped := 0, false, false
	for _, b := range data {
		switch {
		case escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case b == '"':
			inString = !inString
		case !inString && b == ':':
			n++
		}
	}
	return n
}
