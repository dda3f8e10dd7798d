package kv

import (
	"maps"
	"slices"
)

// Changes lists the fields that differ between old and new, after filling
// JetStream defaults in both, and whether any of them needs the bucket
// re-created (a new name is a new stream; storage cannot change in place).
// Field names are the Terraform attribute names.
func Changes(old, new Config) (fields []string, replace bool) {
	o, n := old.WithDefaults(), new.WithDefaults()
	diff := func(field string, changed bool) {
		if changed {
			fields = append(fields, field)
		}
	}
	diff("name", o.Name != n.Name)
	diff("storage", o.Storage != n.Storage)
	replace = len(fields) > 0
	diff("description", o.Description != n.Description)
	diff("history", o.History != n.History)
	diff("ttl", o.TTL != n.TTL)
	diff("max_value_size", o.MaxValueSize != n.MaxValueSize)
	diff("max_bytes", o.MaxBytes != n.MaxBytes)
	diff("replicas", o.Replicas != n.Replicas)
	diff("compression", o.Compression != n.Compression)
	diff("placement", !samePlacement(o.Placement, n.Placement))
	diff("republish", !sameRePublish(o.RePublish, n.RePublish))
	diff("metadata", !maps.Equal(o.Metadata, n.Metadata))
	diff("limit_marker_ttl", o.LimitMarkerTTL != n.LimitMarkerTTL)
	return fields, replace
}

// samePlacement compares tags as a set: the server needs a peer carrying
// all of them, in any order.
func samePlacement(a, b *Placement) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Cluster != b.Cluster {
		return false
	}
	at, bt := slices.Clone(a.Tags), slices.Clone(b.Tags)
	slices.Sort(at)
	slices.Sort(bt)
	return slices.Equal(slices.Compact(at), slices.Compact(bt))
}

func sameRePublish(a, b *RePublish) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
