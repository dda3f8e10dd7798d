package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// natsRPCs are the provider RPCs that need the server. A process that served
// none of them has no reason to dial.
var natsRPCs = map[string]bool{"ReadResource": true, "ApplyResourceChange": true, "ReadDataSource": true}

// proc is one provider process Terraform started during a command.
type proc struct {
	pid         int
	start, exit time.Time
	rpcs        map[string]int
	conns       []*server.ConnInfo
}

func (p *proc) didNATSWork() bool {
	for rpc := range p.rpcs {
		if natsRPCs[rpc] {
			return true
		}
	}
	return false
}

// probe runs one nats_kv_bucket cycle with TF_LOG=trace, finds in the logs
// every provider process Terraform started and the RPCs each served, and
// assigns each connection the server accepted to the process that was
// running when it was opened.
func probe(ctx context.Context, o options, srv *testnats.Server) error {
	logDir := o.logs
	if logDir == "" {
		var err error
		if logDir, err = os.MkdirTemp("", "bench-probe-"); err != nil {
			return fmt.Errorf("make log dir: %w", err)
		}
		defer os.RemoveAll(logDir)
	} else if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fmt.Errorf("make log dir: %w", err)
	}

	if _, err := runCycle(ctx, o, srv, buckets, o.probeN, logDir); err != nil {
		return err
	}
	connz, err := srv.Connz(&server.ConnzOptions{State: server.ConnClosed, Limit: 100000})
	if err != nil {
		return fmt.Errorf("connz: %w", err)
	}

	fmt.Printf("Provider processes per command (N = %d, TF_LOG=trace; the NATS connections each opened, from the server's closed-connection list):\n", o.probeN)
	var dialedIdle, multi int
	for _, cmd := range commands {
		procs, err := readProcs(filepath.Join(logDir, cmd+".log"))
		if err != nil {
			return err
		}
		attach(procs, connz.Conns)
		total := 0
		for _, p := range procs {
			total += len(p.conns)
		}
		fmt.Printf("  %-8s %d provider processes, %d NATS connections\n", cmd, len(procs), total)
		for i, p := range procs {
			note := "no connection"
			if len(p.conns) > 0 {
				c := p.conns[0]
				note = fmt.Sprintf("%d connection(s), first dialed %s after start, %d msgs in", len(p.conns),
					c.Start.Sub(p.start).Round(time.Millisecond), c.InMsgs)
			}
			if len(p.conns) > 0 && !p.didNATSWork() {
				note += "  <- dialed without NATS work"
				dialedIdle++
			}
			if len(p.conns) > 1 {
				multi++
			}
			fmt.Printf("    #%d %6s  %-70s %s\n", i+1, secs(p.exit.Sub(p.start)), rpcSummary(p.rpcs), note)
		}
	}
	switch {
	case dialedIdle > 0:
		fmt.Printf("  FINDING: %d provider process(es) dialed NATS without serving a Read, Apply or ReadDataSource\n", dialedIdle)
	default:
		fmt.Println("  No provider process dialed without NATS work: the pool dials lazily.")
	}
	if multi > 0 {
		fmt.Printf("  FINDING: %d provider process(es) opened more than one connection for one identity\n", multi)
	}
	return nil
}

var (
	logTime    = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)`)
	starting   = regexp.MustCompile(`provider: starting plugin: path=\S*terraform-provider-nats\b`)
	started    = regexp.MustCompile(`provider: plugin started: path=\S*terraform-provider-nats pid=(\d+)`)
	exited     = regexp.MustCompile(`provider: plugin process exited: \S*terraform-provider-nats (?:pid|id)=(\d+)`)
	receivedAt = regexp.MustCompile(`provider\.terraform-provider-nats: Received request:.*\btf_rpc=(\w+)`)
)

// readProcs reads Terraform's trace log. Terraform runs provider processes
// one after another within a command, so an RPC belongs to the process
// started last.
func readProcs(path string) ([]*proc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open trace log: %w", err)
	}
	defer f.Close()
	var procs []*proc
	var cur *proc
	var pendingStart time.Time
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		m := logTime.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			continue
		}
		switch {
		case starting.MatchString(line):
			pendingStart = t
		case started.MatchString(line):
			pid, _ := strconv.Atoi(started.FindStringSubmatch(line)[1])
			if pendingStart.IsZero() {
				pendingStart = t
			}
			cur = &proc{pid: pid, start: pendingStart, rpcs: map[string]int{}}
			procs = append(procs, cur)
			pendingStart = time.Time{}
		case exited.MatchString(line):
			pid, _ := strconv.Atoi(exited.FindStringSubmatch(line)[1])
			for _, p := range procs {
				if p.pid == pid {
					p.exit = t
				}
			}
		default:
			if m := receivedAt.FindStringSubmatch(line); m != nil && cur != nil {
				cur.rpcs[m[1]]++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read trace log: %w", err)
	}
	if len(procs) == 0 {
		return nil, fmt.Errorf("trace log %s shows no provider process: did the log format change?", path)
	}
	return procs, nil
}

// attach gives each connection to the process alive when it was opened.
// Log times have millisecond resolution: the windows are widened by one.
func attach(procs []*proc, conns []*server.ConnInfo) {
	for _, c := range conns {
		for _, p := range procs {
			exit := p.exit
			if exit.IsZero() {
				exit = p.start.Add(time.Hour)
			}
			if !c.Start.Before(p.start.Add(-time.Millisecond)) && !c.Start.After(exit.Add(time.Millisecond)) {
				p.conns = append(p.conns, c)
				break
			}
		}
	}
}

func rpcSummary(rpcs map[string]int) string {
	names := make([]string, 0, len(rpcs))
	for n := range rpcs {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s×%d", n, rpcs[n]))
	}
	if len(parts) == 0 {
		return "(no RPCs)"
	}
	return strings.Join(parts, " ")
}
