package conformance

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"time"

	"github.com/k3s-io/kine/pkg/drivers"
	kinenats "github.com/k3s-io/kine/pkg/drivers/nats"
	kineserver "github.com/k3s-io/kine/pkg/server"
	kinetls "github.com/k3s-io/kine/pkg/tls"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"
)

// What the kine binary uses unless told otherwise (kine's app flags), so the
// embedded server behaves as the one k3s runs.
const (
	kineNotifyInterval = 5 * time.Second
	kineEtcdVersion    = "3.6.11"
	// The apiserver's etcd request limit (1.5 MiB) plus kine's gRPC overhead.
	kineMaxRequest = 1536<<10 + 512<<10
	// stopGrace bounds waiting for KINE's goroutines after cancelling it.
	stopGrace = 3 * time.Second
)

// kine is one in-process KINE: the NATS driver's backend behind KINE's etcd
// gRPC server, reached by an etcd client over an in-memory pipe (no port).
type kine struct {
	client    *clientv3.Client
	srv       *grpc.Server
	lis       *bufconn.Listener
	cancel    context.CancelFunc
	wg        *sync.WaitGroup // goroutines KINE itself accounts for
	serveDone chan struct{}
}

// startKine starts KINE on endpoint. KINE runs under a child of parent,
// which must carry no deadline: KINE spins a CPU core retrying JetStream
// timeouts under a deadline context, so it is stopped by cancelling only.
// ctx bounds how long startKine waits for KINE to be ready; when it ends
// first KINE is cancelled and the start fails.
func startKine(ctx, parent context.Context, endpoint string, tls kinetls.Config) (*kine, error) {
	kctx, cancel := context.WithCancel(parent)
	wg := &sync.WaitGroup{}

	type started struct {
		backend kineserver.Backend
		err     error
	}
	ch := make(chan started, 1)
	go func() {
		// The NATS driver's own constructor, as kine's endpoint package
		// calls it; compaction stays off (interval 0) so the check never
		// compacts a bucket behind the user's back.
		_, backend, err := kinenats.New(kctx, wg, &drivers.Config{
			Endpoint:         endpoint,
			BackendTLSConfig: tls,
		})
		if err == nil {
			err = backend.Start(kctx)
		}
		ch <- started{backend, err}
	}()

	var s started
	select {
	case s = <-ch:
	case <-ctx.Done():
		cancel()
		select {
		case <-ch:
		case <-time.After(stopGrace):
		}
		waitGroup(wg, stopGrace)
		return nil, fmt.Errorf("KINE was not ready in time: %w", ctx.Err())
	}
	if s.err != nil {
		cancel()
		waitGroup(wg, stopGrace)
		return nil, s.err
	}

	k := &kine{
		srv: grpc.NewServer(
			grpc.MaxRecvMsgSize(kineMaxRequest),
			grpc.MaxSendMsgSize(math.MaxInt32),
		),
		lis:       bufconn.Listen(1 << 20),
		cancel:    cancel,
		wg:        wg,
		serveDone: make(chan struct{}),
	}
	kineserver.New(s.backend, "unix", kineNotifyInterval, kineEtcdVersion).Register(k.srv)
	go func() {
		defer close(k.serveDone)
		_ = k.srv.Serve(k.lis) // ends with Stop
	}()

	client, err := clientv3.New(clientv3.Config{
		// The address only names the link; the dialer below ignores it.
		Endpoints: []string{"http://kine.conformance.invalid"},
		DialOptions: []grpc.DialOption{
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
				return k.lis.DialContext(ctx)
			}),
		},
		Context:            kctx,
		Logger:             zap.NewNop(),
		MaxCallSendMsgSize: kineMaxRequest,
		MaxCallRecvMsgSize: math.MaxInt32,
	})
	if err != nil {
		_ = k.stop()
		return nil, fmt.Errorf("etcd client for KINE: %w", err)
	}
	k.client = client
	return k, nil
}

// stop closes the client, the gRPC server and KINE (by cancelling it) and
// waits a bounded time for their goroutines.
func (k *kine) stop() error {
	if k.client != nil {
		_ = k.client.Close()
	}
	k.srv.Stop()
	k.cancel()
	var errs []error
	select {
	case <-k.serveDone:
	case <-time.After(stopGrace):
		errs = append(errs, errors.New("KINE's gRPC server did not stop"))
	}
	if !waitGroup(k.wg, stopGrace) {
		errs = append(errs, fmt.Errorf("KINE did not stop within %s of being cancelled", stopGrace))
	}
	return errors.Join(errs...)
}

// waitGroup waits for wg at most d and reports whether it finished.
func waitGroup(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
