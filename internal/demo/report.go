package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/examples"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// demo is one run of the story: what it started (torn down by close), the
// time each stage took, and what it proved.
type demo struct {
	o     options
	start time.Time

	stages     []stageTime
	regions    *testnats.OperatorRegions
	operatorWS *tfrun.Workspace
	cleanups   []func()

	// seen are the conformance reports already printed.
	seen           map[string]bool
	reports, steps int
	failedReports  []string
	proven         []string
	closedOnce     bool
}

type stageTime struct {
	name  string
	start time.Time
	took  time.Duration
}

// stage ends the current stage and starts the next, printing its heading
// with the time since the demo started.
func (d *demo) stage(name string) {
	d.endStage()
	d.stages = append(d.stages, stageTime{name: name, start: time.Now()})
	fmt.Printf("\n[%d] %s   (t+%s)\n", len(d.stages), name, d.elapsed())
}

func (d *demo) endStage() {
	if n := len(d.stages); n > 0 && d.stages[n-1].took == 0 {
		s := &d.stages[n-1]
		s.took = time.Since(s.start)
		fmt.Printf("   -- stage %d done in %s\n", n, round(s.took))
	}
}

func (d *demo) elapsed() string { return round(time.Since(d.start)) }

// round formats a wall time for people: milliseconds below a second,
// tenths of seconds above.
func round(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// defer_ registers f to run at close, in reverse order of registration.
func (d *demo) defer_(f func()) { d.cleanups = append(d.cleanups, f) }

// close stops and removes everything the demo started, once.
func (d *demo) close() {
	if d.closedOnce {
		return
	}
	d.closedOnce = true
	for i := len(d.cleanups) - 1; i >= 0; i-- {
		d.cleanups[i]()
	}
	d.cleanups = nil
}

// reportOrder is the order of the reports of one cluster in the tables.
var reportOrder = []string{"datastore", "kine_user", "mirror", "standby"}

// conformanceTable prints the conformance reports the last apply made, as
// a table: a row per step, a column per report, each cell the step's
// result and duration.
func (d *demo) conformanceTable(out examples.MultiRegion) {
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	var names []string
	var cols []*examples.Report
	for _, cluster := range sortedKeys(out.Conformance) {
		for _, what := range reportOrder {
			r := out.Conformance[cluster][what]
			if r == nil {
				continue
			}
			key := cluster + "/" + what + "/" + r.Duration + "/" + r.Summary
			if d.seen[key] {
				continue
			}
			d.seen[key] = true
			names = append(names, cluster+" "+what)
			cols = append(cols, r)
			d.reports++
			d.steps += len(r.Steps)
			if !r.Passed {
				d.failedReports = append(d.failedReports, cluster+" "+what+": "+r.Summary)
			}
		}
	}
	if len(cols) == 0 {
		fmt.Println("   (no conformance check ran: nothing they check changed)")
		return
	}
	var steps []string
	have := map[string]bool{}
	for _, r := range cols {
		for _, s := range r.Steps {
			if !have[s.Name] {
				have[s.Name] = true
				steps = append(steps, s.Name)
			}
		}
	}
	const stepW, colW = 19, 17
	var b strings.Builder
	fmt.Fprintf(&b, "   %-*s", stepW, "KINE check step")
	for _, n := range names {
		fmt.Fprintf(&b, "%-*s", colW, n)
	}
	b.WriteString("\n   " + strings.Repeat("-", stepW+colW*len(names)-2) + "\n")
	for _, step := range steps {
		fmt.Fprintf(&b, "   %-*s", stepW, step)
		for _, r := range cols {
			fmt.Fprintf(&b, "%-*s", colW, cell(r, step))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "   %-*s", stepW, "= result")
	for _, r := range cols {
		result := "PASSED"
		if !r.Passed {
			result = "FAILED"
		}
		fmt.Fprintf(&b, "%-*s", colW, fmt.Sprintf("%-6s %7s", result, short(r.Duration)))
	}
	for _, line := range strings.Split(b.String(), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
}

// cell is a step's result and duration in one report, blank when the
// report has no such step.
func cell(r *examples.Report, step string) string {
	for _, s := range r.Steps {
		if s.Name != step {
			continue
		}
		switch {
		case s.Skipped:
			return fmt.Sprintf("%-6s %7s", "skip", "")
		case !s.OK:
			return fmt.Sprintf("%-6s %7s", "FAIL", short(s.Duration))
		}
		return fmt.Sprintf("%-6s %7s", "ok", short(s.Duration))
	}
	return ""
}

// short formats a Go duration string for a table cell.
func short(s string) string {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return s
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// summary is the last screen: the stages with their times and what the
// run proved.
func (d *demo) summary() {
	d.endStage()
	total := d.elapsed()
	fmt.Printf("\n%s\n What `make demo` just proved, with the real terraform CLI, in-process nats-servers and real KINE\n%s\n",
		strings.Repeat("=", 100), strings.Repeat("=", 100))
	for i, s := range d.stages {
		fmt.Printf(" %2d. %-80s %8s\n", i+1, s.name, round(s.took))
	}
	fmt.Println()
	for _, p := range d.proven {
		fmt.Println(" * " + p)
	}
	fmt.Printf(" * %d KINE conformance reports, %d steps, all passed (every apply checked what it built)\n", d.reports, d.steps)
	fmt.Printf("\n demo OK in %s\n", total)
}
