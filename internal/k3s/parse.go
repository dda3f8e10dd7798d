package k3s

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// knownParams are the params KINE reads; serverConfig, dataDir, dontListen
// and stdoutLogging only in builds with embedded NATS.
var knownParams = []string{"bucket", "replicas", "revHistory", "slowMethod", "credsFile", "contextFile", "noEmbed",
	"serverConfig", "dataDir", "dontListen", "stdoutLogging"}

// ParseEndpoint reads a KINE NATS endpoint the way KINE does, including the
// legacy jetstream://nats://host:port form (read as NoEmbed, which is what
// the legacy driver does) and the params of KINE builds with embedded NATS
// (nats://?serverConfig=/path, without a host). Where KINE would silently ignore or misread
// something (a non-numeric number, a misspelt or repeated param, params or
// credentials on a later URL, userinfo it would pass on still
// percent-encoded) it returns an error naming the param or part instead.
// Errors never quote a password or token.
func ParseEndpoint(s string) (Endpoint, error) {
	e, err := parseEndpoint(s)
	if err != nil {
		return Endpoint{}, fmt.Errorf("KINE endpoint: %w", err)
	}
	return e, nil
}

func parseEndpoint(s string) (Endpoint, error) {
	var e Endpoint
	rest, legacy := strings.CutPrefix(s, "jetstream://")
	switch {
	case legacy && !strings.HasPrefix(rest, "nats://"):
		return e, errors.New("legacy jetstream:// endpoints work only as jetstream://nats://host:port")
	case !legacy && !strings.HasPrefix(s, "nats://"):
		// KINE picks the driver from the text before "://", case and all.
		return e, errors.New("must start with nats://")
	}

	// KINE splits on every comma before parsing anything.
	for i, raw := range strings.Split(rest, ",") {
		u, err := parseURL(i, raw)
		if err != nil {
			return Endpoint{}, err
		}
		if i == 0 {
			if err := e.readQuery(u.RawQuery); err != nil {
				return Endpoint{}, err
			}
			if err := e.readUserinfo(u.User); err != nil {
				return Endpoint{}, err
			}
			if u.Host == "" && (e.ContextFile != "" || e.Embedded()) {
				continue // the context supplies the servers, or KINE runs its own
			}
		} else {
			if u.User != nil {
				return Endpoint{}, fmt.Errorf("URL %d: KINE ignores credentials after the first URL", i+1)
			}
			if u.RawQuery != "" || u.ForceQuery {
				return Endpoint{}, fmt.Errorf("URL %d: KINE reads params only from the first URL", i+1)
			}
		}
		host, err := serverHost(u.Host)
		if err != nil {
			return Endpoint{}, fmt.Errorf("URL %d: %w", i+1, err)
		}
		e.Servers = append(e.Servers, host)
	}
	if legacy {
		if e.Embedded() {
			return Endpoint{}, errors.New("legacy jetstream:// endpoints never start KINE's embedded server: use nats:// with serverConfig, dataDir, dontListen or stdoutLogging")
		}
		e.NoEmbed = true
	}
	return e, e.Validate()
}

// parseURL parses one comma-separated URL the way KINE's net/url call does
// and rejects the parts KINE would drop without a word.
func parseURL(i int, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if strings.Contains(raw, "@") || !errors.As(err, &ue) {
			// The parser's message quotes the URL, which holds a secret.
			return nil, fmt.Errorf("URL %d: not a valid URL (percent-encode special characters in params)", i+1)
		}
		return nil, fmt.Errorf("URL %d: %w", i+1, ue.Err)
	}
	switch {
	case u.Scheme != "nats":
		return nil, fmt.Errorf("URL %d: scheme %q: KINE accepts only nats://", i+1, u.Scheme)
	case u.Opaque != "":
		return nil, fmt.Errorf("URL %d: want nats://host:port", i+1)
	case u.Path != "" && u.Path != "/":
		return nil, fmt.Errorf("URL %d: KINE ignores the path %q", i+1, u.Path)
	case u.Fragment != "":
		return nil, fmt.Errorf("URL %d: KINE ignores the fragment", i+1)
	}
	return u, nil
}

// readUserinfo takes user:pass@ or token@ from the first URL. KINE gives
// NATS u.User.String() split at ':', which is the userinfo re-encoded.
func (e *Endpoint) readUserinfo(ui *url.Userinfo) error {
	if ui == nil {
		return nil
	}
	name := ui.Username()
	pass, hasPass := ui.Password()
	if !hasPass {
		if name != "" && !passesUnchanged(name) {
			return fmt.Errorf("token: KINE would pass it to NATS percent-encoded; %s", userinfoChars)
		}
		e.Token = name
		return nil
	}
	if name != "" && !passesUnchanged(name) {
		return fmt.Errorf("user %q: KINE would pass it to NATS percent-encoded; %s", name, userinfoChars)
	}
	if !passesUnchanged(pass) {
		return fmt.Errorf("password: KINE would pass it to NATS percent-encoded; %s", userinfoChars)
	}
	e.User, e.Password = name, pass
	return nil
}

func (e *Endpoint) readQuery(raw string) error {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return fmt.Errorf("params: %w", err)
	}
	for k, vs := range q {
		if err := checkParam(k, len(vs)); err != nil {
			return err
		}
	}
	e.Bucket = q.Get("bucket")
	if e.Replicas, err = intParam(q, "replicas", MinReplicas, MaxReplicas); err != nil {
		return err
	}
	if e.RevHistory, err = intParam(q, "revHistory", MinRevHistory, MaxRevHistory); err != nil {
		return err
	}
	if v := q.Get("slowMethod"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("param slowMethod: %q is not a duration", v)
		}
		if d <= 0 {
			// 0 would mean "log every call"; an Endpoint uses 0 for "leave it out".
			return fmt.Errorf("param slowMethod: %q is not positive", v)
		}
		e.SlowMethod = d
	}
	e.CredsFile = q.Get("credsFile")
	e.ContextFile = q.Get("contextFile")
	e.ServerConfig = q.Get("serverConfig")
	e.DataDir = q.Get("dataDir")
	for _, f := range []struct {
		name string
		set  *bool
	}{{"noEmbed", &e.NoEmbed}, {"dontListen", &e.DontListen}, {"stdoutLogging", &e.StdoutLogging}} {
		if *f.set, err = flagParam(q, f.name); err != nil {
			return err
		}
	}
	return nil
}

// flagParam reads a param KINE only checks the presence of, so that
// name=false means true: here any value but a true one is an error.
func flagParam(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	if v := q.Get(name); v != "" {
		if b, err := strconv.ParseBool(v); err != nil || !b {
			return false, fmt.Errorf("param %s=%s: KINE reads any %s as true; leave it out instead", name, v, name)
		}
	}
	return true, nil
}

func checkParam(k string, n int) error {
	for _, p := range knownParams {
		if k == p {
			if n > 1 {
				return fmt.Errorf("param %s: given %d times; KINE reads only the first", k, n)
			}
			return nil
		}
	}
	for _, p := range knownParams {
		if strings.EqualFold(k, p) {
			return fmt.Errorf("param %s: KINE would ignore it; the name is %s", k, p)
		}
	}
	return fmt.Errorf("param %s: unknown, KINE would ignore it", k)
}

// intParam reads a number KINE parses with ParseUint and silently drops
// when that fails: here anything but a decimal in range is an error.
func intParam(q url.Values, k string, lo, hi int) (int, error) {
	v := q.Get(k)
	if v == "" {
		return 0, nil // KINE treats an empty value as absent
	}
	n, err := strconv.Atoi(v)
	if err != nil || strings.HasPrefix(v, "+") {
		return 0, fmt.Errorf("param %s: %q is not a decimal number (KINE would silently use its default)", k, v)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("param %s: %d is outside %d..%d", k, n, lo, hi)
	}
	return n, nil
}
