package release_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

const (
	// repoRoot is this repository, from this package's directory.
	repoRoot = "../.."
	project  = "terraform-provider-nats"
)

// A release snapshot for this platform, as `make release-snapshot` builds
// it, installs from a filesystem mirror and manages a bucket.
func TestSnapshotFromMirror(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1: builds a release snapshot")
	}
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Skip(err)
	}
	// goreleaser compiles from the module proxy the first time: slow on a
	// cold build cache, seconds afterwards.
	ctx, cancel := context.WithTimeout(context.Background(), 35*time.Minute)
	defer cancel()

	target := runtime.GOOS + "_" + runtime.GOARCH
	signer := newSigner(ctx, t)
	s := buildSnapshot(ctx, t, target, signer)
	checkSnapshot(ctx, t, s, target, signer)

	// The packed layout: the release zip as it is, under the provider's
	// address, exactly as a user copies it from a release page.
	mirror := t.TempDir()
	into := filepath.Join(mirror, "registry.terraform.io", "natsk3s", "nats")
	if err := os.MkdirAll(into, 0o755); err != nil {
		t.Fatal(err)
	}
	zipName := fmt.Sprintf("%s_%s_%s.zip", project, s.version, target)
	copyFile(t, filepath.Join(s.dist, zipName), filepath.Join(into, zipName))

	srv, err := testnats.Start(testnats.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()

	w := tfrun.ForTest(t, tfrun.Options{Terraform: tf, Mirror: mirror})
	// A snapshot is a pre-release: Terraform picks it only when pinned.
	err = w.WriteFile("main.tf", fmt.Sprintf(`
terraform {
  required_providers {
    nats = {
      source  = "natsk3s/nats"
      version = %q
    }
  }
}

provider "nats" {
  servers = [%q]
}

resource "nats_kv_bucket" "b" {
  name = "from-mirror"
}

output "stream" {
  value = nats_kv_bucket.b.stream_name
}
`, s.version, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Run(ctx, "init", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Stdout, "Installed natsk3s/nats v"+s.version) {
		t.Errorf("init did not install the snapshot:\n%s", res.Stdout)
	}
	lock, err := os.ReadFile(filepath.Join(w.Dir, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	// From a mirror, Terraform pins the zip's content hash (h1), as it
	// does for the same zip from the registry.
	h1, err := dirhash.HashZip(filepath.Join(into, zipName), dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lock), `"`+h1+`"`) {
		t.Errorf("the lock file does not pin the zip's hash %s:\n%s", h1, lock)
	}
	res, err = w.Run(ctx, "version", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Providers map[string]string `json:"provider_selections"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil || v.Providers[tfrun.ProviderAddress] != s.version {
		t.Errorf("provider selections %v (%v), want %s %s", v.Providers, err, tfrun.ProviderAddress, s.version)
	}

	if res, err = w.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Stdout+res.Stderr, "development overrides") {
		t.Errorf("dev_overrides in effect:\n%s", res.Stdout)
	}
	js := testnats.JetStream(t, srv.URL, nil, "")
	if _, err := js.KeyValue(ctx, "from-mirror"); err != nil {
		t.Errorf("bucket made by the mirrored provider: %v", err)
	}
	if _, err := w.Run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
}

// snapshot is what goreleaser left in dist.
type snapshot struct {
	dist, version string
	// sums are the SHA256SUMS entries, file name to hex digest.
	sums map[string]string
}

// buildSnapshot runs goreleaser as `make release-snapshot` does, pinned by
// the Makefile, with its dist directory moved out of the source tree.
func buildSnapshot(ctx context.Context, t *testing.T, target string, signer *signer) snapshot {
	t.Helper()
	makefile, err := os.ReadFile(filepath.Join(repoRoot, "GNUmakefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^GORELEASER_PKG\s*:=\s*(\S+)`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("GNUmakefile does not pin goreleaser (GORELEASER_PKG := ...)")
	}
	cfg, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	cfgPath := filepath.Join(tmp, "goreleaser.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(cfg, "\ndist: %q\n", dist), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"run", string(m[1]), "release", "--snapshot", "--clean", "--config", cfgPath}
	env := append(os.Environ(), "ONLY_TARGET="+target)
	if signer == nil {
		args = append(args, "--skip=sign")
	} else {
		env = append(env, signer.env()...)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repoRoot
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("goreleaser: %v\n%s", err, out)
	}
	t.Logf("goreleaser snapshot for %s took %s", target, time.Since(start).Round(time.Second))

	var meta struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil || meta.Version == "" {
		t.Fatalf("dist/metadata.json: %v\n%s", err, b)
	}
	s := snapshot{dist: dist, version: meta.Version, sums: map[string]string{}}
	sumsName := project + "_" + s.version + "_SHA256SUMS"
	b, err = os.ReadFile(filepath.Join(dist, sumsName))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("%s: line %q is not <sha256>  <file>", sumsName, sc.Text())
		}
		s.sums[name] = sum
	}
	return s
}

// checkSnapshot checks the files the registry reads: one zip for target
// holding only terraform-provider-nats_v<version>, SHA256SUMS over it and
// the registry manifest, and its signature when there is a key.
func checkSnapshot(ctx context.Context, t *testing.T, s snapshot, target string, signer *signer) {
	t.Helper()
	// goreleaser says "none" for the commit where the repository has no remote.
	if !regexp.MustCompile(`^\d+\.\d+\.\d+-snapshot-([0-9a-f]+|none)$`).MatchString(s.version) {
		t.Errorf("snapshot version %q, want <semver>-snapshot-<commit>", s.version)
	}
	prefix := project + "_" + s.version + "_"
	zipName := prefix + target + ".zip"
	sumsName := prefix + "SHA256SUMS"
	zips, _ := filepath.Glob(filepath.Join(s.dist, "*.zip"))
	if len(zips) != 1 || filepath.Base(zips[0]) != zipName {
		t.Fatalf("zips in dist: %v, want only %s", zips, zipName)
	}

	zr, err := zip.OpenReader(zips[0])
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	binary := project + "_v" + s.version
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	if len(zr.File) != 1 || zr.File[0].Name != binary || zr.File[0].Mode()&0o111 == 0 {
		var names []string
		for _, f := range zr.File {
			names = append(names, fmt.Sprintf("%s (%v)", f.Name, f.Mode()))
		}
		t.Errorf("zip holds %v, want only the executable %s", names, binary)
	}

	names := slices.Sorted(maps.Keys(s.sums))
	want := []string{zipName, prefix + "manifest.json"}
	slices.Sort(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("%s lists %v, want %v", sumsName, names, want)
	}
	if got := sha256File(t, zips[0]); s.sums[zipName] != got {
		t.Errorf("%s: %s is listed as %s, is %s", sumsName, zipName, s.sums[zipName], got)
	}
	if got := sha256File(t, filepath.Join(repoRoot, "terraform-registry-manifest.json")); s.sums[prefix+"manifest.json"] != got {
		t.Errorf("%s: the manifest is listed as %s, terraform-registry-manifest.json is %s", sumsName, s.sums[prefix+"manifest.json"], got)
	}

	sig := filepath.Join(s.dist, sumsName+".sig")
	if signer == nil {
		if _, err := os.Stat(sig); err == nil {
			t.Errorf("%s exists, but no key was configured", sig)
		}
		t.Log("no gpg: the signature step was skipped, as without a key")
		return
	}
	signer.verify(ctx, t, sig, filepath.Join(s.dist, sumsName))
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
