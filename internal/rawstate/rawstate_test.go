package rawstate

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Random types and JSON values of them, each decoded by
// terraform-plugin-go and by ToMsgPack: the values must be equal, and so
// must the bytes where no map's order can differ.
func TestToMsgPackIsTerraformPluginGos(t *testing.T) {
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 7))
		typ := randomType(r, 3)
		ignore := r.IntN(2) == 0
		data, err := json.Marshal(randomJSON(r, typ, ignore))
		if err != nil {
			t.Fatal(err)
		}
		compare(t, data, typ, ignore)
	}
}

// The kinds of JSON terraform-plugin-go converts, written out.
func TestToMsgPackConversions(t *testing.T) {
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"s": tftypes.String, "n": tftypes.Number, "b": tftypes.Bool,
		"l": tftypes.List{ElementType: tftypes.Number}, "m": tftypes.Map{ElementType: tftypes.String},
	}}
	for _, js := range []string{
		`{"s":"x","n":1,"b":true,"l":[1,2.5,-0,1e3,123456789012345678901234567890],"m":{"a":"1"}}`,
		`{"s":12,"n":"12","b":"1","l":[]}`,
		`{"s":true,"n":"1.25","b":"false","l":null,"m":{}}`,
		`{"s":false,"n":0.1,"b":0}`,
		`{"n":1.7976931348623157e308}`,
		`{"n":-9223372036854775808}`,
		`{"n":9223372036854775808}`,
		`{}`,
		`null`,
	} {
		compare(t, []byte(js), obj, false)
	}
}

// What terraform-plugin-go refuses, ToMsgPack refuses too.
func TestToMsgPackRefuses(t *testing.T) {
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"s": tftypes.String, "b": tftypes.Bool}}
	for _, js := range []string{`{"s":[]}`, `{"b":"yes"}`, `{"b":2}`, `{"gone":1}`, `[1]`, `{`} {
		if _, err := tftypes.ValueFromJSON([]byte(js), obj); err == nil {
			t.Fatalf("%s: terraform-plugin-go takes it; the test is wrong", js)
		}
		if _, err := ToMsgPack([]byte(js), obj, false); err == nil {
			t.Errorf("%s: taken, want an error", js)
		}
	}
	// A state holds secrets: an error never shows a value.
	withNumber := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"n": tftypes.Number, "b": tftypes.Bool}}
	for _, js := range []string{`{"n":"SUAsecret"}`, `{"b":"SUAsecret"}`} {
		if _, err := ToMsgPack([]byte(js), withNumber, false); err == nil || strings.Contains(err.Error(), "SUAsecret") {
			t.Errorf("%s: %v, want an error without the value", js, err)
		}
	}
	dyn := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"d": tftypes.DynamicPseudoType}}
	if _, err := ToMsgPack([]byte(`{"d":{"value":"x","type":"string"}}`), dyn, false); !errors.Is(err, ErrUnsupported) {
		t.Errorf("dynamic value: %v, want ErrUnsupported", err)
	}
}

func compare(t *testing.T, data []byte, typ tftypes.Type, ignore bool) {
	t.Helper()
	want, wantErr := tftypes.ValueFromJSONWithOpts(data, typ, tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: ignore})
	got, err := ToMsgPack(data, typ, ignore)
	if wantErr != nil {
		if err == nil {
			t.Errorf("%s as %s: terraform-plugin-go says %v, ToMsgPack takes it", data, typ, wantErr)
		}
		return
	}
	if err != nil {
		t.Errorf("%s as %s: %v", data, typ, err)
		return
	}
	v, err := tftypes.ValueFromMsgPack(got, typ)
	if err != nil || !v.Equal(want) {
		t.Errorf("%s as %s: got %v (%v), want %v", data, typ, v, err, want)
		return
	}
	if !hasMap(typ) {
		wantBytes, err := want.MarshalMsgPack(typ) //nolint:staticcheck // the bytes the protocol carries
		if err != nil || !bytes.Equal(got, wantBytes) {
			t.Errorf("%s as %s: bytes %x, want %x (%v)", data, typ, got, wantBytes, err)
		}
	}
}

func hasMap(typ tftypes.Type) bool {
	switch typ := typ.(type) {
	case tftypes.Map:
		return true
	case tftypes.List:
		return hasMap(typ.ElementType)
	case tftypes.Set:
		return hasMap(typ.ElementType)
	case tftypes.Object:
		for _, a := range typ.AttributeTypes {
			if hasMap(a) {
				return true
			}
		}
	}
	return false
}

func randomType(r *rand.Rand, depth int) tftypes.Type {
	k := r.IntN(7)
	if depth == 0 {
		k = r.IntN(3)
	}
	switch k {
	case 0:
		return tftypes.String
	case 1:
		return tftypes.Number
	case 2:
		return tftypes.Bool
	case 3:
		return tftypes.List{ElementType: randomType(r, depth-1)}
	case 4:
		return tftypes.Set{ElementType: randomType(r, depth-1)}
	case 5:
		return tftypes.Map{ElementType: randomType(r, depth-1)}
	}
	attrs := map[string]tftypes.Type{}
	for i := range r.IntN(6) {
		attrs["a"+strconv.Itoa(i)] = randomType(r, depth-1)
	}
	return tftypes.Object{AttributeTypes: attrs}
}

var numbers = []string{"0", "-0", "1", "-17", "2.5", "-0.001", "1e3", "1E-2", "9007199254740993",
	"9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890.5", "0.1"}

// randomJSON is a JSON value of typ, sometimes null, sometimes in one of
// the other spellings terraform-plugin-go accepts; objects leave some
// attributes out and, when ignore is set, carry some the type lacks.
func randomJSON(r *rand.Rand, typ tftypes.Type, ignore bool) any {
	if r.IntN(8) == 0 {
		return nil
	}
	switch typ := typ.(type) {
	case tftypes.List:
		return randomElements(r, typ.ElementType, ignore)
	case tftypes.Set:
		return randomElements(r, typ.ElementType, ignore)
	case tftypes.Map:
		m := map[string]any{}
		for i := range r.IntN(4) {
			m["k"+strconv.Itoa(i)] = randomJSON(r, typ.ElementType, ignore)
		}
		return m
	case tftypes.Object:
		m := map[string]any{}
		for k, a := range typ.AttributeTypes {
			if r.IntN(5) > 0 {
				m[k] = randomJSON(r, a, ignore)
			}
		}
		if ignore && r.IntN(3) == 0 {
			m["gone"] = json.RawMessage(`{"x":[1,"y"]}`)
		}
		return m
	}
	switch {
	case typ.Is(tftypes.String):
		switch r.IntN(6) {
		case 0:
			return json.Number(numbers[r.IntN(len(numbers))])
		case 1:
			return r.IntN(2) == 0
		}
		return []string{"", "x", "héllo", "a\"b", "1h"}[r.IntN(5)]
	case typ.Is(tftypes.Number):
		n := numbers[r.IntN(len(numbers))]
		if r.IntN(5) == 0 {
			return n
		}
		return json.Number(n)
	}
	switch r.IntN(5) {
	case 0:
		return []string{"true", "false", "1", "0"}[r.IntN(4)]
	case 1:
		return json.Number([]string{"1", "0"}[r.IntN(2)])
	}
	return r.IntN(2) == 0
}

func randomElements(r *rand.Rand, elem tftypes.Type, ignore bool) []any {
	l := []any{}
	for range r.IntN(4) {
		l = append(l, randomJSON(r, elem, ignore))
	}
	return l
}

// Repeated keys: terraform-plugin-go checks each value, encoding/json keeps
// the last; ToMsgPack leaves such JSON to terraform-plugin-go.
func TestToMsgPackLeavesRepeatedKeys(t *testing.T) {
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"s": tftypes.String, "m": tftypes.Map{ElementType: tftypes.String},
	}}
	for _, js := range []string{`{"s":[],"s":"a"}`, `{"s":"a","s":"b"}`, `{"m":{"a":{},"a":"x"}}`, `{"s":"a"} {"s":"b"}`} {
		if _, err := ToMsgPack([]byte(js), obj, false); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", js, err)
		}
	}
	// Colons and quotes inside strings are not members.
	js := []byte(`{"s":"a:b \"c:d\" \\","m":{"k:1":"v\\:"}}`)
	if _, err := ToMsgPack(js, obj, false); err != nil {
		t.Errorf("%s: %v", js, err)
	}
	compare(t, js, obj, false)
}
