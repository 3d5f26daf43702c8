package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// errExited is returned when a process the harness waits for ends first.
var errExited = errors.New("process exited")

// Options configure Start.
type Options struct {
	// RepoRoot is the repository (config/crd/bases, config/demo); BinDir holds manager,
	// dispatcher and dropship-sim; K8sBinDir kube-apiserver, etcd and kubectl.
	RepoRoot, BinDir, K8sBinDir string
	// WorkDir receives the kubeconfig, the logs and the pods' files.
	WorkDir string
	Sim     SimOptions
	// ReportingInterval is how often dispatchers report status into the custom resources
	// (the manager's --dispatcher-reporting-interval); the manager's default when 0.
	ReportingInterval time.Duration
	Log               logr.Logger
}

// Env is the running chain. Stop it with Stop.
type Env struct {
	opts Options
	// Kubeconfig is an admin kubeconfig for kubectl; Config and Client talk to the same
	// API server.
	Kubeconfig string
	Config     *rest.Config
	Client     client.Client
	// Namespace of the demo objects.
	Namespace string

	testEnv   *envtest.Environment
	sim       *process
	ready     *simReady
	manager   *process
	manifests *manifests

	mu          sync.Mutex
	dispatchers []*Dispatcher
}

// Scheme knows the built-in kinds and ours.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = dropshipv1.AddToScheme(s)
	return s
}

// Start brings up the API server, the simulators and the manager, and applies config/demo.
// On error it stops what it started.
func Start(ctx context.Context, opts Options) (e *Env, err error) {
	if err := os.MkdirAll(opts.WorkDir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", opts.WorkDir, err)
	}
	e = &Env{opts: opts, Namespace: "shop"}
	defer func() {
		if err != nil {
			_ = e.Stop()
		}
	}()
	opts.Log.Info("starting kube-apiserver and etcd")
	e.testEnv = &envtest.Environment{
		BinaryAssetsDirectory: opts.K8sBinDir,
		CRDDirectoryPaths:     []string{filepath.Join(opts.RepoRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := e.testEnv.Start()
	if err != nil {
		return e, fmt.Errorf("cannot start the local control plane (make k8s-bins builds it): %w", err)
	}
	admin, err := e.testEnv.AddUser(envtest.User{Name: "dropship-admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		return e, fmt.Errorf("cannot create the admin user: %w", err)
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		return e, err
	}
	e.Kubeconfig = filepath.Join(opts.WorkDir, "kubeconfig")
	if err := os.WriteFile(e.Kubeconfig, kc, 0o600); err != nil {
		return e, fmt.Errorf("cannot write the kubeconfig: %w", err)
	}
	e.Config = admin.Config()
	if e.Client, err = client.New(e.Config, client.Options{Scheme: Scheme()}); err != nil {
		return e, err
	}

	if e.manifests, err = buildManifests(e.kubectlPath(), filepath.Join(opts.RepoRoot, "config", "demo")); err != nil {
		return e, err
	}
	simCfg, err := simConfig(e.manifests, opts.Sim)
	if err != nil {
		return e, err
	}
	opts.Log.Info("starting the simulators", "orders", opts.Sim.Orders+opts.Sim.TrickleOrders)
	if e.sim, e.ready, err = startSim(ctx, filepath.Join(opts.BinDir, "dropship-sim"), opts.WorkDir, simCfg); err != nil {
		return e, err
	}
	if err := e.startManager(ctx); err != nil {
		return e, err
	}
	return e, nil
}

func (e *Env) kubectlPath() string { return filepath.Join(e.opts.K8sBinDir, "kubectl") }

// Kubectl runs the local kubectl as the admin and returns its combined output.
func (e *Env) Kubectl(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, e.kubectlPath(), append([]string{"--kubeconfig", e.Kubeconfig}, args...)...)
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return out, nil
}

// startManager runs bin/manager against the API server and waits for /readyz.
func (e *Env) startManager(ctx context.Context) error {
	port, err := FreePort()
	if err != nil {
		return err
	}
	probe := fmt.Sprintf("127.0.0.1:%d", port)
	e.opts.Log.Info("starting the manager")
	args := []string{"--metrics-bind-address=0", "--health-probe-bind-address=" + probe}
	if e.opts.ReportingInterval > 0 {
		args = append(args, "--dispatcher-reporting-interval="+e.opts.ReportingInterval.String())
	}
	e.manager, err = startProcess("manager", filepath.Join(e.opts.BinDir, "manager"), filepath.Join(e.opts.WorkDir, "manager.log"),
		[]string{"KUBECONFIG=" + e.Kubeconfig}, args...)
	if err != nil {
		return err
	}
	return waitHTTP(ctx, e.manager, "http://"+probe+"/readyz", 60*time.Second)
}

// waitHTTP waits until url answers 200, failing early when p exits.
func waitHTTP(ctx context.Context, p *process, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if p != nil {
			if done, err := p.exited(); done {
				return fmt.Errorf("%s exited, see its log: %w", p.name, errors.Join(err, errExited))
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s", url, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ApplyDemo applies config/demo with the simulators' URLs and the generated credentials
// (kubectl apply --server-side, as a user would).
func (e *Env) ApplyDemo(ctx context.Context) error {
	b, err := e.DemoManifests()
	if err != nil {
		return err
	}
	_, err = e.Kubectl(ctx, b, "apply", "--server-side", "--field-manager=dropship-demo", "-f", "-")
	return err
}

// DemoManifests is config/demo filled in for this run. It holds credentials: never print it.
func (e *Env) DemoManifests() ([]byte, error) {
	urls := map[string]string{"DEMO_URL_ERP": e.ready.K3Cloud[0].URL}
	for _, s := range e.ready.Suppliers {
		urls["DEMO_URL_"+strings.ToUpper(strings.TrimPrefix(s.Name, "supplier-"))] = s.Orders
	}
	return e.manifests.render(urls)
}

// Stop stops the dispatchers, the manager, the simulators and the control plane.
func (e *Env) Stop() error {
	var errs []error
	e.mu.Lock()
	ds := e.dispatchers
	e.dispatchers = nil
	e.mu.Unlock()
	for _, d := range ds {
		errs = append(errs, d.stop())
	}
	errs = append(errs, e.manager.stop(20*time.Second), e.sim.stop(15*time.Second))
	if e.testEnv != nil {
		errs = append(errs, e.testEnv.Stop())
	}
	return errors.Join(errs...)
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
