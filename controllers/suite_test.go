package controllers

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// The envtest suite: one real kube-apiserver and etcd per package, the real reconcilers in
// a manager, and k8sClient (uncached) for the tests to act as a user would.
var (
	k8sClient client.Client
	scheme    = runtime.NewScheme()
	writes    = &writeCounter{byPath: map[string]int{}}
	envtestUp bool
)

const testImage = "example.com/dropship:test"

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := dropshipv1.AddToScheme(scheme); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if testing.Short() {
		return m.Run()
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		env.BinaryAssetsDirectory = filepath.Join("..", "bin", "k8s")
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the API server (build it with make k8s-bins): %v\n", err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "cannot stop the API server: %v\n", err)
		}
	}()
	cfg.QPS, cfg.Burst = -1, 0
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot create a client: %v\n", err)
		return 1
	}

	// The manager's requests go through writeCounter, so tests can prove idle reconciles write nothing.
	mgrCfg := rest.CopyConfig(cfg)
	mgrCfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return writes.wrap(rt) })
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true), zap.Level(zapLevel())))
	mgr, err := ctrl.NewManager(mgrCfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  CacheOptions(""),
		Controller:             config.Controller{MaxConcurrentReconciles: 2},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot create the manager: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := Setup(ctx, mgr, Options{DispatcherImage: testImage}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		cancel()
		return 1
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager stopped: %v\n", err)
		}
	})
	envtestUp = true
	code := m.Run()
	cancel()
	wg.Wait()
	return code
}

// zapLevel keeps the manager quiet unless DROPSHIP_TEST_LOG=debug.
func zapLevel() zapcore.Level {
	if os.Getenv("DROPSHIP_TEST_LOG") == "debug" {
		return zapcore.DebugLevel
	}
	return zapcore.ErrorLevel
}

// writeCounter counts the manager's write requests (create, update, patch, delete) by
// resource path.
type writeCounter struct {
	mu     sync.Mutex
	byPath map[string]int
	total  int
}

func (w *writeCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		switch req.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			w.mu.Lock()
			w.total++
			w.byPath[req.Method+" "+req.URL.Path]++
			w.mu.Unlock()
		}
		return rt.RoundTrip(req)
	})
}

// snapshot returns the writes so far, without Events (which are not object state).
func (w *writeCounter) snapshot() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]int{}
	for k, v := range w.byPath {
		if !strings.Contains(k, "/events") {
			out[k] = v
		}
	}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// needEnvtest skips a test in -short mode, where no API server is started.
func needEnvtest(t *testing.T) {
	t.Helper()
	if !envtestUp {
		t.Skip("no API server in -short mode")
	}
}

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "t-"}}
	if err := k8sClient.Create(context.Background(), ns); err != nil {
		t.Fatalf("cannot create namespace: %v", err)
	}
	return ns.Name
}

// eventually polls check until it returns nil or the timeout passes.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}
