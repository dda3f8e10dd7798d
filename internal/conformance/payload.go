package conformance

// LargeObject is the biggest value the kube-apiserver writes: etcd's (and
// KINE's) request limit of 1.5 MiB.
const LargeObject = 1536 << 10

// RequiredMaxPayload is the smallest server max_payload that lets KINE store
// a LargeObject. KINE wraps a value in a JSON record, where []byte becomes
// base64 (4 bytes per 3: 2 MiB for 1.5 MiB), then s2-compresses the record,
// which cannot shrink incompressible data and adds its stream framing (a few
// dozen bytes). On top come the record's other fields, the key and the KV
// headers JetStream needs (under 1 KiB together). 4 KiB of slack covers
// those with room for long keys. The full profile's large-value step proves
// it against the real encoding.
const RequiredMaxPayload = (LargeObject+2)/3*4 + 4<<10
