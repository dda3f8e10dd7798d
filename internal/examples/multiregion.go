package examples

// MultiRegion is what examples/stacks/multi-region outputs, as `make demo`
// and the stack's test read it: one definition of the stack's interface for
// both. Sensitive values are handed on, never printed.
type MultiRegion struct {
	Accounts     map[string]string  `json:"accounts"`
	ActiveRegion map[string]string  `json:"active_region"`
	Endpoints    map[string]string  `json:"datastore_endpoints"`
	KineCreds    map[string]string  `json:"kine_creds"`
	LinkCreds    map[string]string  `json:"region_link_creds"`
	Remotes      string             `json:"region_b_leaf_remotes"`
	Mirrors      map[string]*Mirror `json:"mirrors"`
	// Conformance holds, per cluster, the reports by what was checked:
	// datastore, kine_user, mirror, standby.
	Conformance map[string]map[string]*Report `json:"conformance"`
}

// Mirror is one cluster's mirror in the other region.
type Mirror struct {
	Name            string `json:"name"`
	Domain          string `json:"jetstream_domain"`
	History         int    `json:"history"`
	Promote         bool   `json:"promote"`
	SourceReachable bool   `json:"source_reachable"`
	SourceSealed    bool   `json:"source_sealed"`
}

// Report is a conformance_report as the stack outputs it.
type Report struct {
	Passed   bool   `json:"passed"`
	Summary  string `json:"summary"`
	Duration string `json:"duration"`
	Steps    []struct {
		Name     string `json:"name"`
		OK       bool   `json:"ok"`
		Skipped  bool   `json:"skipped"`
		Duration string `json:"duration"`
	} `json:"steps"`
}
