package conformance

import "errors"

// Failed is the report of a check that could not start: its first step,
// name, failed with err. Callers use it when the target cannot be described
// to KINE at all, so that every check outcome is a Report.
func Failed(opts Options, name string, err error) *Report {
	opts = opts.withDefaults()
	s := Step{Name: name, Detail: "the check could not be run", Hint: "fix what the detail names and apply again"}
	if err != nil {
		s.Detail = err.Error()
	}
	var h *hinted
	if errors.As(err, &h) {
		s.Hint = h.hint
	}
	return &Report{
		Profile:     opts.Profile,
		KineVersion: KineVersion(),
		Steps:       []Step{s},
	}
}

// Skipped is the report of a check that was deliberately not run, with the
// reason in its only step. It counts as passed: nothing was found wrong.
func Skipped(opts Options, name, reason string) *Report {
	opts = opts.withDefaults()
	return &Report{
		Passed:      true,
		Profile:     opts.Profile,
		KineVersion: KineVersion(),
		Steps:       []Step{{Name: name, OK: true, Skipped: true, Detail: "skipped: " + reason}},
	}
}

// CredsSecrets are the lines of credentials content that must never be
// shown (the user JWT and the seed), for NewSequence.
func CredsSecrets(creds []byte) []string { return credsSecrets(creds) }

// DeniedByJWT lists which of the needed subjects the user JWT in creds
// denies by its own permissions. ok is false when the JWT says nothing
// usable (no permissions of its own, or no JWT).
func DeniedByJWT(creds []byte, pub, sub []string) (denied []string, ok bool) {
	return jwtVerdict(creds, pub, sub)
}
