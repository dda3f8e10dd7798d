package provider

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
)

// The nats_account model's parts, and their translation to and from the
// accounts package's Account.

type jetStreamLimitsModel struct {
	MemoryStorage        types.Int64 `tfsdk:"memory_storage"`
	DiskStorage          types.Int64 `tfsdk:"disk_storage"`
	Streams              types.Int64 `tfsdk:"streams"`
	Consumers            types.Int64 `tfsdk:"consumers"`
	MemoryMaxStreamBytes types.Int64 `tfsdk:"memory_max_stream_bytes"`
	DiskMaxStreamBytes   types.Int64 `tfsdk:"disk_max_stream_bytes"`
	MaxBytesRequired     types.Bool  `tfsdk:"max_bytes_required"`
}

type accountLimitsModel struct {
	Connections         types.Int64 `tfsdk:"connections"`
	LeafNodeConnections types.Int64 `tfsdk:"leaf_node_connections"`
	Subscriptions       types.Int64 `tfsdk:"subscriptions"`
	Data                types.Int64 `tfsdk:"data"`
	Payload             types.Int64 `tfsdk:"payload"`
}

type exportModel struct {
	Name          types.String `tfsdk:"name"`
	Subject       types.String `tfsdk:"subject"`
	Type          types.String `tfsdk:"type"`
	TokenRequired types.Bool   `tfsdk:"token_required"`
}

type importModel struct {
	Name         types.String `tfsdk:"name"`
	Subject      types.String `tfsdk:"subject"`
	Account      types.String `tfsdk:"account"`
	Type         types.String `tfsdk:"type"`
	LocalSubject types.String `tfsdk:"local_subject"`
}

// toAccount is the plan as the domain's account.
func (m *accountModel) toAccount(ctx context.Context, diags *diag.Diagnostics) accounts.Account {
	a := accounts.Account{
		Name:        m.Name.ValueString(),
		PublicKey:   m.PublicKey.ValueString(),
		Description: m.Description.ValueString(),
		AllowBearer: !m.DisallowBearer.ValueBool(),
	}
	if k := m.SigningKey.ValueString(); k != "" {
		a.SigningKeys = []string{k}
	}
	if m.JetStream != nil {
		l := m.JetStream.toLimits()
		a.JetStream = &l
	}
	if len(m.JetStreamTiers) > 0 {
		a.JetStreamTiers = map[string]accounts.JetStreamLimits{}
		for tier, l := range m.JetStreamTiers {
			a.JetStreamTiers[tier] = l.toLimits()
		}
	}
	if l := m.Limits; l != nil {
		a.Limits = accounts.Limits{Connections: int64Ptr(l.Connections), LeafNodeConnections: int64Ptr(l.LeafNodeConnections),
			Subscriptions: int64Ptr(l.Subscriptions), Data: int64Ptr(l.Data), Payload: int64Ptr(l.Payload)}
	}
	var revoked []string
	diags.Append(m.RevokedUserKeys.ElementsAs(ctx, &revoked, false)...)
	if len(revoked) > 0 {
		a.RevokedUsers = map[string]time.Time{}
		for _, k := range revoked {
			a.RevokedUsers[k] = time.Time{}
		}
	}
	for _, e := range m.Exports {
		a.Exports = append(a.Exports, accounts.Export{Name: e.Name.ValueString(), Subject: e.Subject.ValueString(),
			Kind: accounts.ExportKind(e.Type.ValueString()), TokenRequired: e.TokenRequired.ValueBool()})
	}
	for _, i := range m.Imports {
		a.Imports = append(a.Imports, accounts.Import{Name: i.Name.ValueString(), Subject: i.Subject.ValueString(),
			Account: i.Account.ValueString(), Kind: accounts.ExportKind(i.Type.ValueString()), LocalSubject: i.LocalSubject.ValueString()})
	}
	return a
}

func (l jetStreamLimitsModel) toLimits() accounts.JetStreamLimits {
	return accounts.JetStreamLimits{
		MemoryStorage: int64Ptr(l.MemoryStorage), DiskStorage: int64Ptr(l.DiskStorage),
		Streams: int64Ptr(l.Streams), Consumers: int64Ptr(l.Consumers),
		MemoryMaxStreamBytes: int64Ptr(l.MemoryMaxStreamBytes), DiskMaxStreamBytes: int64Ptr(l.DiskMaxStreamBytes),
		MaxBytesRequired: l.MaxBytesRequired.ValueBool(),
	}
}

// fromAccount puts what a server holds into the model, so a plan shows
// what differs from the configuration.
func (m *accountModel) fromAccount(a accounts.Account, token string) {
	m.Name = types.StringValue(a.Name)
	m.Description = optionalString(a.Description)
	m.DisallowBearer = types.BoolValue(!a.AllowBearer)
	m.JetStream, m.JetStreamTiers = nil, nil
	if a.JetStream != nil {
		l := limitsModel(*a.JetStream)
		m.JetStream = &l
	}
	if len(a.JetStreamTiers) > 0 {
		m.JetStreamTiers = map[string]jetStreamLimitsModel{}
		for tier, l := range a.JetStreamTiers {
			m.JetStreamTiers[tier] = limitsModel(l)
		}
	}
	m.Limits = nil
	if l := a.Limits; l != (accounts.Limits{}) {
		m.Limits = &accountLimitsModel{Connections: int64Value(l.Connections), LeafNodeConnections: int64Value(l.LeafNodeConnections),
			Subscriptions: int64Value(l.Subscriptions), Data: int64Value(l.Data), Payload: int64Value(l.Payload)}
	}
	m.RevokedUserKeys = types.SetNull(types.StringType)
	if len(a.RevokedUsers) > 0 {
		keys := make([]attr.Value, 0, len(a.RevokedUsers))
		for k := range a.RevokedUsers {
			keys = append(keys, types.StringValue(k))
		}
		m.RevokedUserKeys = types.SetValueMust(types.StringType, keys)
	}
	m.Exports, m.Imports = nil, nil
	for _, e := range a.Exports {
		m.Exports = append(m.Exports, exportModel{Name: optionalString(e.Name), Subject: types.StringValue(e.Subject),
			Type: types.StringValue(string(e.Kind)), TokenRequired: optionalBool(e.TokenRequired)})
	}
	for _, i := range a.Imports {
		m.Imports = append(m.Imports, importModel{Name: optionalString(i.Name), Subject: types.StringValue(i.Subject),
			Account: types.StringValue(i.Account), Type: types.StringValue(string(i.Kind)), LocalSubject: optionalString(i.LocalSubject)})
	}
	m.PublicKey, m.ID = types.StringValue(a.PublicKey), types.StringValue(a.PublicKey)
	if len(a.SigningKeys) > 0 && !containsString(a.SigningKeys, m.SigningKey.ValueString()) {
		keys := append([]string(nil), a.SigningKeys...)
		sort.Strings(keys)
		m.SigningKey = types.StringValue(keys[0])
	}
	m.JWT = types.StringValue(token)
}

func limitsModel(l accounts.JetStreamLimits) jetStreamLimitsModel {
	return jetStreamLimitsModel{
		MemoryStorage: int64Value(l.MemoryStorage), DiskStorage: int64Value(l.DiskStorage),
		Streams: int64Value(l.Streams), Consumers: int64Value(l.Consumers),
		MemoryMaxStreamBytes: int64Value(l.MemoryMaxStreamBytes), DiskMaxStreamBytes: int64Value(l.DiskMaxStreamBytes),
		MaxBytesRequired: optionalBool(l.MaxBytesRequired),
	}
}

func int64Ptr(v types.Int64) *int64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	return accounts.Int64(v.ValueInt64())
}

func int64Value(p *int64) types.Int64 {
	if p == nil {
		return types.Int64Null()
	}
	return types.Int64Value(*p)
}

func optionalBool(v bool) types.Bool {
	if !v {
		return types.BoolNull()
	}
	return types.BoolValue(true)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// quoteAll quotes every name, for messages that list them.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
