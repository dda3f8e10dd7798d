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
