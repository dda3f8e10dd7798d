package provider

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/rawstate"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The server answers some nats_kv_bucket requests without the framework
// (server.go). Every answer it gives must be the framework's own: these
// tests put the same request to both and compare, and check that the raw
// path declines every request it must leave to the framework.

// rawServer is a configured provider server for servers, with the
// provider's jetstream_domain when domain is set.
func rawServer(t *testing.T, domain string, servers ...string) *protoServer {
	t.Helper()
	ctx := context.Background()
	s := NewServer("test", testPool)().(*protoServer)
	sch, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := sch.Provider.ValueType().(tftypes.Object)
	urls := make([]tftypes.Value, len(servers))
	for i, u := range servers {
		urls[i] = tftypes.NewValue(tftypes.String, u)
	}
	vals := map[string]tftypes.Value{"servers": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, urls)}
	if domain != "" {
		vals["jetstream_domain"] = tftypes.NewValue(tftypes.String, domain)
	}
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamic(t, typ, objectWith(typ, vals))})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return s
}

// objectWith is an object of type typ with vals, and null elsewhere.
func objectWith(typ tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	all := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		if v, ok := vals[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, all)
}

func dynamic(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func bucketType(t *testing.T, s *protoServer) tftypes.Object {
	t.Helper()
	_, rs, ok := s.raw(context.Background(), "nats_kv_bucket")
	if !ok {
		t.Fatal("nats_kv_bucket has no raw requests")
	}
	return rs.typ.(tftypes.Object)
}

func tfString(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func tfNumber(n int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }

// tfStringMap is a map of strings with one element.
func tfStringMap(k, v string) tftypes.Value {
	return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{k: tfString(v)})
}

// bucketValues are a bucket's attributes: the state of a bucket created
// with name, storage = "memory" and history = 5, changed by set.
func bucketValues(typ tftypes.Object, name string, set map[string]tftypes.Value) tftypes.Value {
	vals := map[string]tftypes.Value{
		"id": tfString(name), "name": tfString(name), "description": tfString(""), "history": tfNumber(5), "ttl": tfString("0s"),
		"max_value_size": tfNumber(-1), "max_bytes": tfNumber(-1), "storage": tfString("memory"), "replicas": tfNumber(1),
		"compression":         tftypes.NewValue(tftypes.Bool, false),
		"metadata":            tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{}),
		"limit_marker_ttl":    tfString("0s"),
		"deletion_protection": tftypes.NewValue(tftypes.Bool, false),
		"stream_name":         tfString("KV_" + name),
	}
	for k, v := range set {
		vals[k] = v
	}
	return objectWith(typ, vals)
}

// bucketConfigValues is the configuration behind bucketValues, changed by
// set (a null value removes an attribute).
func bucketConfigValues(typ tftypes.Object, name string, set map[string]tftypes.Value) tftypes.Value {
	vals := map[string]tftypes.Value{
		"name":    tftypes.NewValue(tftypes.String, name),
		"storage": tftypes.NewValue(tftypes.String, "memory"),
		"history": tftypes.NewValue(tftypes.Number, 5),
	}
	for k, v := range set {
		vals[k] = v
	}
	return objectWith(typ, vals)
}

func conformanceValue(typ tftypes.Object, mode, profile, timeout string) tftypes.Value {
	ct := typ.AttributeTypes["conformance"].(tftypes.Object)
	opt := func(s string) tftypes.Value {
		if s == "" {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, s)
	}
	return tftypes.NewValue(ct, map[string]tftypes.Value{"mode": opt(mode), "profile": opt(profile), "timeout": opt(timeout)})
}

func TestRawPlanIsTheFrameworksPlan(t *testing.T) {
	ctx := context.Background()
	plain := rawServer(t, "", single.URL)
	inDomain := rawServer(t, "hub", single.URL)
	typ := bucketType(t, plain)
	failed := objectWith(typ.AttributeTypes["conformance_report"].(tftypes.Object), map[string]tftypes.Value{
		"passed":  tftypes.NewValue(tftypes.Bool, false),
		"summary": tftypes.NewValue(tftypes.String, "step watch failed"),
	})
	for _, tc := range []struct {
		name             string
		server           *protoServer
		config, prior    tftypes.Value
		proposed         *tftypes.Value // default: the prior state
		destroy, wantRaw bool
	}{
		{name: "nothing changed", config: bucketConfigValues(typ, "b", nil), prior: bucketValues(typ, "b", nil), wantRaw: true},
		{name: "a default spelled out", config: bucketConfigValues(typ, "b", map[string]tftypes.Value{"replicas": tfNumber(1)}),
			prior: bucketValues(typ, "b", nil), wantRaw: true},
		{name: "destroy", config: bucketConfigValues(typ, "b", nil), prior: bucketValues(typ, "b", nil), destroy: true, wantRaw: true},
		{name: "check off, its other settings left to their defaults",
			config:  bucketConfigValues(typ, "b", map[string]tftypes.Value{"conformance": conformanceValue(typ, "off", "", "")}),
			prior:   bucketValues(typ, "b", map[string]tftypes.Value{"conformance": conformanceValue(typ, "off", "quick", defaultCheckTimeout)}),
			wantRaw: true},
		// Terraform proposes the prior value for an optional computed
		// attribute the configuration drops; the framework plans its
		// default: a change.
		{name: "history removed from the configuration",
			config: bucketConfigValues(typ, "b", map[string]tftypes.Value{"history": tftypes.NewValue(tftypes.Number, nil)}),
			prior:  bucketValues(typ, "b", nil)},
		{name: "check mode removed from the configuration",
			config: bucketConfigValues(typ, "b", map[string]tftypes.Value{"conformance": conformanceValue(typ, "", "", "")}),
			prior:  bucketValues(typ, "b", map[string]tftypes.Value{"conformance": conformanceValue(typ, "off", "quick", defaultCheckTimeout)})},
		{name: "a failed enforce check runs again",
			config: bucketConfigValues(typ, "b", map[string]tftypes.Value{"conformance": conformanceValue(typ, "enforce", "", "")}),
			prior: bucketValues(typ, "b", map[string]tftypes.Value{
				"conformance":        conformanceValue(typ, "enforce", "quick", defaultCheckTimeout),
				"conformance_report": failed,
			})},
		{name: "the provider's default domain moved", server: inDomain,
			config: bucketConfigValues(typ, "b", nil), prior: bucketValues(typ, "b", nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.server
			if s == nil {
				s = plain
			}
			proposed := tc.prior
			if tc.destroy {
				proposed = tftypes.NewValue(typ, nil)
			}
			comparePlans(ctx, t, s, typ, tc.config, tc.prior, proposed, tc.wantRaw)
		})
	}
}

func TestRawCreatePlanIsTheFrameworksPlan(t *testing.T) {
	ctx := context.Background()
	plain := rawServer(t, "", single.URL)
	inDomain := rawServer(t, "hub", single.URL)
	typ := bucketType(t, plain)
	object := func(name string, vals map[string]tftypes.Value) tftypes.Value {
		return objectWith(typ.AttributeTypes[name].(tftypes.Object), vals)
	}
	for _, tc := range []struct {
		name    string
		server  *protoServer
		set     map[string]tftypes.Value
		wantRaw bool
	}{
		{name: "plain", wantRaw: true},
		{name: "in the provider's domain", server: inDomain, wantRaw: true},
		{name: "in a domain of its own", set: map[string]tftypes.Value{"jetstream_domain": tfString("edge")}, wantRaw: true},
		{name: "check off", set: map[string]tftypes.Value{"conformance": conformanceValue(typ, "off", "", "")}, wantRaw: true},
		{name: "live check", set: map[string]tftypes.Value{"conformance": conformanceValue(typ, "report", "full", "")}, wantRaw: true},
		{name: "every plain setting", wantRaw: true, set: map[string]tftypes.Value{
			"description": tfString("d"), "ttl": tfString("1h"), "limit_marker_ttl": tfString("1s"), "max_bytes": tftypes.NewValue(tftypes.Number, 1<<20),
			"metadata":            tfStringMap("a", "b"),
			"deletion_protection": tftypes.NewValue(tftypes.Bool, true), "credentials": tfString("not a secret"),
		}},
		{name: "placement", set: map[string]tftypes.Value{"placement": object("placement", map[string]tftypes.Value{"cluster": tfString("c")})}, wantRaw: true},
		{name: "republish, its defaults inside", set: map[string]tftypes.Value{"republish": object("republish", map[string]tftypes.Value{"destination": tfString("x.>")})}, wantRaw: true},
		{name: "timeouts", set: map[string]tftypes.Value{"timeouts": object("timeouts", map[string]tftypes.Value{"create": tfString("5m")})}, wantRaw: true},
		{name: "a name not known yet", set: map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.server
			if s == nil {
				s = plain
			}
			// For a create, Terraform proposes the configuration.
			config := bucketConfigValues(typ, "b", tc.set)
			comparePlans(ctx, t, s, typ, config, tftypes.NewValue(typ, nil), config, tc.wantRaw)
		})
	}
}

// comparePlans puts one plan request to the framework and to the server,
// and checks whether the raw path takes it.
func comparePlans(ctx context.Context, t *testing.T, s *protoServer, typ tftypes.Type, config, prior, proposed tftypes.Value, wantRaw bool) {
	t.Helper()
	req := func() *tfprotov6.PlanResourceChangeRequest {
		return &tfprotov6.PlanResourceChangeRequest{
			TypeName:         "nats_kv_bucket",
			Config:           dynamic(t, typ, config),
			PriorState:       dynamic(t, typ, prior),
			ProposedNewState: dynamic(t, typ, proposed),
		}
	}
	r, rs, _ := s.raw(ctx, "nats_kv_bucket")
	if _, got := s.planRaw(ctx, r, rs, req()); got != wantRaw {
		t.Errorf("raw path taken: %v, want %v", got, wantRaw)
	}
	fw, err := s.ProviderServer.PlanResourceChange(ctx, req())
	if err != nil {
		t.Fatal(err)
	}
	ours, err := s.PlanResourceChange(ctx, req())
	if err != nil {
		t.Fatal(err)
	}
	samePlan(t, typ, fw, ours)
}

func samePlan(t *testing.T, typ tftypes.Type, fw, ours *tfprotov6.PlanResourceChangeResponse) {
	t.Helper()
	want, err := fw.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ours.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Errorf("planned state\n%v\nwant the framework's\n%v", got, want)
	}
	if len(ours.PlannedPrivate) != len(fw.PlannedPrivate) {
		t.Errorf("planned private %q, want the framework's %q", ours.PlannedPrivate, fw.PlannedPrivate)
	}
	if len(ours.Diagnostics) != len(fw.Diagnostics) || len(ours.RequiresReplace) != len(fw.RequiresReplace) {
		t.Errorf("diagnostics %v, requires replace %v; the framework's: %v, %v", ours.Diagnostics, ours.RequiresReplace, fw.Diagnostics, fw.RequiresReplace)
	}
}

func TestRawReadIsTheFrameworksRead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	js := testnats.JetStream(t, single.URL, nil, "")
	name := uniqueName(t)
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: name, History: 5, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = js.DeleteKeyValue(context.Background(), name) })
	typ := bucketType(t, rawServer(t, "", single.URL))
	state := bucketValues(typ, name, nil)

	read := func(s *protoServer) (raw bool, fw, ours *tfprotov6.ReadResourceResponse) {
		t.Helper()
		req := func() *tfprotov6.ReadResourceRequest {
			return &tfprotov6.ReadResourceRequest{TypeName: "nats_kv_bucket", CurrentState: dynamic(t, typ, state)}
		}
		r, _, _ := s.raw(ctx, "nats_kv_bucket")
		_, raw = r.readRaw(ctx, state)
		var err error
		if fw, err = s.ProviderServer.ReadResource(ctx, req()); err != nil {
			t.Fatal(err)
		}
		if ours, err = s.ReadResource(ctx, req()); err != nil {
			t.Fatal(err)
		}
		want, err1 := fw.NewState.Unmarshal(typ)
		got, err2 := ours.NewState.Unmarshal(typ)
		if err1 != nil || err2 != nil || !got.Equal(want) || len(fw.Diagnostics) != len(ours.Diagnostics) {
			t.Errorf("state %v (diagnostics %v), want the framework's %v (%v)", got, ours.Diagnostics, want, fw.Diagnostics)
		}
		return raw, fw, ours
	}

	if raw, _, _ := read(rawServer(t, "", single.URL)); !raw {
		t.Error("unchanged bucket: raw path not taken")
	}
	// Drift: history changed outside Terraform. A new server, as a new
	// plan has: the stream listing is kept per provider configuration.
	if _, err := js.UpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: name, History: 3, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	if raw, _, ours := read(rawServer(t, "", single.URL)); raw {
		t.Error("changed bucket: raw path taken")
	} else if st, _ := ours.NewState.Unmarshal(typ); !rawIntIs(mustAttrs(t, st), "history", 3) {
		t.Errorf("changed bucket: state %v, want history 3", st)
	}
	// Deleted outside Terraform: the framework removes it, with a warning.
	if err := js.DeleteKeyValue(ctx, name); err != nil {
		t.Fatal(err)
	}
	if raw, _, ours := read(rawServer(t, "", single.URL)); raw {
		t.Error("deleted bucket: raw path taken")
	} else if st, _ := ours.NewState.Unmarshal(typ); !st.IsNull() || len(ours.Diagnostics) != 1 {
		t.Errorf("deleted bucket: state %v, diagnostics %v; want null and a warning", st, ours.Diagnostics)
	}
	// No server: the state stays, with the error, asked once.
	if raw, fw, ours := read(rawServer(t, "", "nats://127.0.0.1:1")); !raw {
		t.Error("unreachable server: raw path not taken")
	} else if len(ours.Diagnostics) != 1 || ours.Diagnostics[0].Summary != fw.Diagnostics[0].Summary {
		t.Errorf("unreachable server: diagnostics %v, want the framework's %v", ours.Diagnostics, fw.Diagnostics)
	}
}

func mustAttrs(t *testing.T, v tftypes.Value) map[string]tftypes.Value {
	t.Helper()
	m, ok := rawAttrs(v)
	if !ok {
		t.Fatalf("%v: not a known object", v)
	}
	return m
}

func TestRawUpgradeIsTheFrameworksUpgrade(t *testing.T) {
	ctx := context.Background()
	s := rawServer(t, "", single.URL)
	typ := bucketType(t, s)
	state := bucketValues(typ, "b", map[string]tftypes.Value{"conformance": conformanceValue(typ, "off", "quick", defaultCheckTimeout)})
	// As Terraform stores it, with an attribute an older version had.
	js := []byte(`{"gone_attribute":1,"compression":false,"conformance":{"mode":"off","profile":"quick","timeout":"` + defaultCheckTimeout + `"},` +
		`"conformance_report":null,"credentials":null,"deletion_protection":false,"description":"","history":5,"id":"b",` +
		`"jetstream_domain":null,"limit_marker_ttl":"0s","max_bytes":-1,"max_value_size":-1,"metadata":{},"name":"b",` +
		`"placement":null,"replicas":1,"republish":null,"storage":"memory","stream_name":"KV_b","timeouts":null,"ttl":"0s"}`)
	req := func() *tfprotov6.UpgradeResourceStateRequest {
		return &tfprotov6.UpgradeResourceStateRequest{TypeName: "nats_kv_bucket", RawState: &tfprotov6.RawState{JSON: js}}
	}
	// upgraded is js upgraded by the framework and by the server.
	upgraded := func() (want, got tftypes.Value) {
		t.Helper()
		fw, err1 := s.ProviderServer.UpgradeResourceState(ctx, req())
		ours, err2 := s.UpgradeResourceState(ctx, req())
		if err1 != nil || err2 != nil || len(fw.Diagnostics) > 0 || len(ours.Diagnostics) > 0 {
			t.Fatal(err1, err2, fw.Diagnostics, ours.Diagnostics)
		}
		want, err1 = fw.UpgradedState.Unmarshal(typ)
		got, err2 = ours.UpgradedState.Unmarshal(typ)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		return want, got
	}
	if want, got := upgraded(); !got.Equal(want) || !got.Equal(state) {
		t.Errorf("upgraded %v, want the framework's %v", got, want)
	}

	// Every nested kind the schema has, set.
	js = []byte(`{"compression":true,"conformance":{"mode":"report","profile":"full","timeout":"5m"},` +
		`"conformance_report":{"advice":{"blockers":["history 1","description"],"endpoint":"nats://x?bucket=b","ok":false,"replicas":3,"rev_history":10},` +
		`"duration":"1.5s","kine_version":"v0.17.5","passed":false,"profile":"full","server_version":"2.15.2",` +
		`"steps":[{"detail":"d","duration":"1ms","hint":null,"name":"create","ok":true,"skipped":false,"warning":null},` +
		`{"detail":"e","duration":"2ms","hint":"h","name":"watch","ok":false,"skipped":false,"warning":"w"}],"summary":"s"},` +
		`"credentials":"-----BEGIN NATS USER JWT-----","deletion_protection":true,"description":"d \"q\" é","history":64,"id":"b",` +
		`"jetstream_domain":"hub","limit_marker_ttl":"1m0s","max_bytes":1099511627776,"max_value_size":1048576,` +
		`"metadata":{"owner":"platform","tier":"gold","z":""},"name":"b","placement":{"cluster":"c1","tags":["ssd","eu"]},` +
		`"replicas":3,"republish":{"destination":"changes.>","headers_only":true,"source":">"},"storage":"file",` +
		`"stream_name":"KV_b","timeouts":{"create":"10m","delete":null,"update":"1h"},"ttl":"720h"}`)
	if _, err := rawstate.ToMsgPack(js, typ, true); err != nil {
		t.Errorf("the one-pass decoding declines a bucket's state: %v", err)
	}
	if want, got := upgraded(); !got.Equal(want) {
		t.Errorf("upgraded %v, want the framework's %v", got, want)
	}

	// A state the framework refuses (a hand-edited one, with a key twice)
	// is refused the same way.
	js = []byte(`{"name":{"x":1},"name":"b","storage":"memory"}`)
	fw, err1 := s.ProviderServer.UpgradeResourceState(ctx, req())
	ours, err2 := s.UpgradeResourceState(ctx, req())
	if err1 != nil || err2 != nil || len(fw.Diagnostics) == 0 || !slices.Equal(diagLines(ours.Diagnostics), diagLines(fw.Diagnostics)) {
		t.Errorf("a repeated key: %v %v %v, want the framework's %v", err1, err2, ours.Diagnostics, fw.Diagnostics)
	}
}

// Create and delete buckets through the framework and through the raw
// path, and compare what each says and leaves.
func TestRawApplyIsTheFrameworksApply(t *testing.T) {
	ctx := context.Background()
	s := rawServer(t, "", single.URL)
	typ := bucketType(t, s)
	js := testnats.JetStream(t, single.URL, nil, "")
	r, rs, _ := s.raw(ctx, "nats_kv_bucket")
	null := tftypes.NewValue(typ, nil)

	// plan is the create plan for a bucket named name, with set.
	plan := func(name string, set map[string]tftypes.Value) tftypes.Value {
		config := bucketConfigValues(typ, name, set)
		planned, _ := r.planCreateRaw(ctx, config, config, rs) // checked by the create plan test
		return planned
	}
	apply := func(raw bool, planned, prior tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
		t.Helper()
		req := &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "nats_kv_bucket", Config: dynamic(t, typ, null),
			PriorState: dynamic(t, typ, prior), PlannedState: dynamic(t, typ, planned),
		}
		var resp *tfprotov6.ApplyResourceChangeResponse
		var err error
		if raw {
			var ok bool
			if resp, ok = s.applyRaw(ctx, r, rs, req); !ok {
				t.Fatal("raw path not taken")
			}
		} else if resp, err = s.ProviderServer.ApplyResourceChange(ctx, req); err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// named is v with the name and what follows from it set to name.
	named := func(v tftypes.Value, name string) tftypes.Value {
		m := mustAttrs(t, v)
		m["name"], m["id"], m["stream_name"] = tfString(name), tfString(name), tfString("KV_"+name)
		return tftypes.NewValue(typ, m)
	}
	state := func(resp *tfprotov6.ApplyResourceChangeResponse) tftypes.Value {
		v, err := resp.NewState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	sameDiags := func(what string, fw, ours *tfprotov6.ApplyResourceChangeResponse) {
		t.Helper()
		if len(fw.Diagnostics) != len(ours.Diagnostics) {
			t.Fatalf("%s: diagnostics %v, want the framework's %v", what, ours.Diagnostics, fw.Diagnostics)
		}
		for i, d := range fw.Diagnostics {
			o := ours.Diagnostics[i]
			if d.Severity != o.Severity || d.Summary != o.Summary || !d.Attribute.Equal(o.Attribute) {
				t.Errorf("%s: diagnostic %v, want the framework's %v", what, o, d)
			}
		}
	}

	for _, tc := range []struct {
		name string
		set  map[string]tftypes.Value
	}{
		{name: "plain"},
		{name: "durations", set: map[string]tftypes.Value{"ttl": tfString("1h"), "limit_marker_ttl": tfString("90s")}},
		{name: "check off", set: map[string]tftypes.Value{"conformance": conformanceValue(typ, "off", "", "")}},
		// Metadata takes the full path after the write; durations written
		// short stay as planned there too.
		{name: "metadata and durations", set: map[string]tftypes.Value{
			"ttl": tfString("1h"), "limit_marker_ttl": tfString("90s"),
			"metadata": tfStringMap("team", "a"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fwName, rawName := uniqueName(t)+"_fw", uniqueName(t)+"_raw"
			fw := apply(false, plan(fwName, tc.set), null)
			ours := apply(true, plan(rawName, tc.set), null)
			sameDiags("create", fw, ours)
			if got, want := state(ours), named(state(fw), rawName); !got.Equal(want) {
				t.Errorf("state after create\n%v\nwant the framework's\n%v", got, want)
			}
			// Creating an existing bucket fails on name, and records nothing.
			fwAgain, oursAgain := apply(false, plan(fwName, tc.set), null), apply(true, plan(fwName, tc.set), null)
			sameDiags("create existing", fwAgain, oursAgain)
			if !state(fwAgain).IsNull() || !state(oursAgain).IsNull() {
				t.Errorf("create existing: states %v and %v, want none", state(fwAgain), state(oursAgain))
			}
			// A protected bucket stays, with its state.
			protected := func(v tftypes.Value) tftypes.Value {
				m := mustAttrs(t, v)
				m["deletion_protection"] = tftypes.NewValue(tftypes.Bool, true)
				return tftypes.NewValue(typ, m)
			}
			fwKept, oursKept := apply(false, null, protected(state(fw))), apply(true, null, protected(state(ours)))
			sameDiags("protected delete", fwKept, oursKept)
			if !state(oursKept).Equal(protected(state(ours))) || len(oursKept.Diagnostics) != 1 {
				t.Errorf("protected delete: state %v, diagnostics %v", state(oursKept), oursKept.Diagnostics)
			}
			fwGone, oursGone := apply(false, null, state(fw)), apply(true, null, state(ours))
			sameDiags("delete", fwGone, oursGone)
			if !state(oursGone).IsNull() {
				t.Errorf("delete: state %v, want none", state(oursGone))
			}
			for _, name := range []string{fwName, rawName} {
				if _, err := js.KeyValue(ctx, name); err == nil {
					t.Errorf("bucket %s is still on the server", name)
				}
			}
		})
	}
}

// A bucket made by a create whose check then failed in enforce mode stays
// in state (Terraform taints it), on the path that reads back what the
// server stored (metadata takes it) as on the other: it exists.
func TestRawCreateKeepsABucketWhoseCheckFailed(t *testing.T) {
	ctx := context.Background()
	srv := smallPayloadServer(t) // the full profile's 1.5 MiB object fails
	s := rawServer(t, "", srv.URL)
	typ := bucketType(t, s)
	r, rs, _ := s.raw(ctx, "nats_kv_bucket")
	set := map[string]tftypes.Value{
		"conformance": conformanceValue(typ, "enforce", "full", ""),
		"metadata":    tfStringMap("team", "a"),
	}
	for _, raw := range []bool{false, true} {
		name := fmt.Sprintf("%s_%v", uniqueName(t), raw)
		config := bucketConfigValues(typ, name, set)
		planned, ok := r.planCreateRaw(ctx, config, config, rs)
		if !ok {
			t.Fatal("no create plan")
		}
		req := &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "nats_kv_bucket", Config: dynamic(t, typ, config),
			PriorState: dynamic(t, typ, tftypes.NewValue(typ, nil)), PlannedState: dynamic(t, typ, planned),
		}
		var resp *tfprotov6.ApplyResourceChangeResponse
		if raw {
			if resp, ok = s.applyRaw(ctx, r, rs, req); !ok {
				t.Fatal("raw path not taken")
			}
		} else {
			var err error
			if resp, err = s.ProviderServer.ApplyResourceChange(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		st, err := resp.NewState.Unmarshal(typ)
		if err != nil || st.IsNull() || len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
			t.Errorf("raw %v: state %v, diagnostics %v; want the bucket in state and the check's error", raw, st, resp.Diagnostics)
		}
	}
}
