package conformance

// Step names, in the order a check runs them.
const (
	// Preflight: before KINE starts.
	StepEndpoint      = "endpoint"
	StepServerVersion = "server version"
	StepMaxPayload    = "max payload"
	StepJetStream     = "jetstream account"
	StepPermissions   = "permissions"
	StepBucketConfig  = "bucket config"
	StepReplicas      = "replicas"

	// Live, quick profile.
	StepKineStart     = "kine start"
	StepHealthKey     = "health key"
	StepCreate        = "create"
	StepGet           = "get"
	StepUpdate        = "update"
	StepRange         = "range"
	StepGetAtRevision = "get at revision"
	StepWatch         = "watch"
	StepDelete        = "delete"
	StepRecreate      = "re-create"

	// Live, full profile.
	StepLease            = "lease expiry"
	StepLargeValue       = "large value"
	StepSecondInstance   = "second instance"
	StepConcurrentCreate = "concurrent create"
	StepCompaction       = "compaction"

	// Always, once KINE started.
	StepCleanup  = "cleanup"
	StepKineStop = "kine stop"

	// RunTwin only: the plain bucket itself, then the twin.
	StepBucketAdvice      = "bucket advice"
	StepBucketPermissions = "bucket permissions"
	StepTwinCreate        = "twin create"
	StepTwinDelete        = "twin delete"
)
