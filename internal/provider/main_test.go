package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The package's servers: started once in TestMain, shared by every test.
var (
	single   *testnats.Server
	cluster  *testnats.Cluster
	operator *testnats.Operator
	accA     *testnats.Account
	accB     *testnats.Account
	hubLeaf  *testnats.HubLeaf
	// opCluster is a 3-node operator-mode system for account resources.
	opCluster *testnats.Operator
	// Both operator systems are hubs for edge sites: JetStream domain "hub",
	// leaf connections plain on opCluster and over TLS on operator.
	leafTLS *testnats.TLSMaterial

	testPool = natsconn.NewPool()
)

func TestMain(m *testing.M) {
	tempDone, err := testnats.IsolateTemp(conformance.TempPrefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Every test has ended: nothing the provider wrote may be left.
	if err := tempDone(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	var err error
	if single, err = testnats.Start(testnats.Config{}); err != nil {
		return 0, err
	}
	defer single.Shutdown()
	if cluster, err = testnats.StartCluster(3, ""); err != nil {
		return 0, err
	}
	defer cluster.Shutdown()
	if leafTLS, err = testnats.NewTLS(); err != nil {
		return 0, err
	}
	defer os.RemoveAll(leafTLS.Dir)
	if operator, err = testnats.StartOperator(testnats.OperatorOptions{Domain: hubDomain, Extra: testnats.LeafListener(leafTLS)}); err != nil {
		return 0, err
	}
	defer operator.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if accA, err = operator.CreateAccount(ctx, "A"); err != nil {
		return 0, err
	}
	if accB, err = operator.CreateAccount(ctx, "B"); err != nil {
		return 0, err
	}
	if opCluster, err = testnats.StartOperator(testnats.OperatorOptions{Servers: 3, Domain: hubDomain, Extra: testnats.LeafListener(nil)}); err != nil {
		return 0, err
	}
	defer opCluster.Shutdown()
	if hubLeaf, err = testnats.StartHubLeaf(); err != nil {
		return 0, err
	}
	defer hubLeaf.Shutdown()
	defer testPool.Close()
	credsA, _ := testnats.CredsOption(accA.Creds)
	credsB, _ := testnats.CredsOption(accB.Creds)
	for _, a := range []struct {
		url  string
		opts []nats.Option
	}{
		{single.URL, nil}, {cluster.Servers[0].URL, nil}, {hubLeaf.Hub.URL, nil}, {hubLeaf.Leaf.URL, nil},
		{operator.Servers[0].URL, []nats.Option{credsA}}, {operator.Servers[0].URL, []nats.Option{credsB}},
	} {
		if err := testnats.Anchor(a.url, a.opts...); err != nil {
			return 0, err
		}
	}
	return m.Run(), nil
}

// factories runs the provider in-process for the terraform CLI.
func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"nats": func() (tfprotov6.ProviderServer, error) { return NewServer("test", testPool)(), nil },
	}
}

// providerBlock configures the provider for servers, with extra attributes.
func providerBlock(servers []string, extra string) string {
	quoted := make([]string, len(servers))
	for i, s := range servers {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("provider \"nats\" {\n  servers = [%s]\n%s\n}\n", strings.Join(quoted, ", "), extra)
}

// hcl quotes a string (multi-line creds included) as an HCL literal.
func hcl(s string) string { return fmt.Sprintf("%q", s) }

// uniqueName makes a bucket name no other test uses.
func uniqueName(t *testing.T) string {
	r := strings.NewReplacer("/", "_", " ", "_", ".", "_")
	return fmt.Sprintf("%s_%d", r.Replace(t.Name()), time.Now().UnixNano()%1e6)
}

// streamConfig is the server's config of bucket's stream.
func streamConfig(t *testing.T, js jetstream.JetStream, bucket string) (jetstream.StreamConfig, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "KV_"+bucket)
	if err != nil {
		return jetstream.StreamConfig{}, err
	}
	return s.CachedInfo().Config, nil
}

// checkStream runs f against the server's stream config of bucket.
func checkStream(t *testing.T, js jetstream.JetStream, bucket string, f func(jetstream.StreamConfig) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cfg, err := streamConfig(t, js, bucket)
		if err != nil {
			return fmt.Errorf("stream of bucket %s on the server: %w", bucket, err)
		}
		return f(cfg)
	}
}

// checkNoBucket passes when bucket does not exist on the server.
func checkNoBucket(t *testing.T, js jetstream.JetStream, bucket string) func(*terraform.State) error {
	return func(*terraform.State) error {
		_, err := streamConfig(t, js, bucket)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil
		}
		if err == nil {
			return fmt.Errorf("bucket %s exists on the server, want none", bucket)
		}
		return err
	}
}

// errorLike matches an error as terraform prints it: any run of spaces in
// pattern matches any whitespace (terraform wraps long lines), and . crosses
// lines.
func errorLike(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// operatorBlock is the provider's operator block for op.
func operatorBlock(op *testnats.Operator) string {
	return fmt.Sprintf("  operator {\n    jwt = %q\n    signing_seed = %q\n    system_user_creds = %s\n  }\n",
		op.JWT, string(op.SigningSeed), hcl(string(op.SystemCreds)))
}
