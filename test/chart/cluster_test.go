package chart

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// cluster is a real kube-apiserver and etcd (envtest) with an admin kubeconfig.
type cluster struct {
	cfg        *rest.Config
	clientset  *kubernetes.Clientset
	kubeconfig string
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	env := &envtest.Environment{}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		env.BinaryAssetsDirectory = filepath.Join(root, "bin", "k8s")
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("cannot start the API server (build it with make k8s-bins): %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("cannot stop the API server: %v", err)
		}
	})
	admin, err := env.AddUser(envtest.User{Name: "test-admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{cfg: admin.Config(), kubeconfig: filepath.Join(t.TempDir(), "admin.kubeconfig")}
	if err := os.WriteFile(c.kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	if c.clientset, err = kubernetes.NewForConfig(c.cfg); err != nil {
		t.Fatal(err)
	}
	return c
}

// kubectl runs the locally built kubectl as the admin, with stdin.
func (c *cluster) kubectl(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(tool(t, "k8s/kubectl"), append([]string{"--kubeconfig", c.kubeconfig}, args...)...)
	cmd.Dir = root
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// install applies a manifest by server-side apply and waits for its CRDs to be established.
func (c *cluster) install(t *testing.T, manifest []byte) {
	t.Helper()
	c.kubectl(t, manifest, "apply", "--server-side", "--field-manager=dropship-install", "-f", "-")
	c.waitEstablished(t, "ordersources.dropship.dev", "suppliers.dropship.dev", "routingpolicies.dropship.dev")
}

// waitEstablished waits until the API server serves the CRDs.
func (c *cluster) waitEstablished(t *testing.T, crds ...string) {
	t.Helper()
	args := []string{"--kubeconfig", c.kubeconfig, "wait", "--for=condition=Established", "--timeout=10s"}
	for _, crd := range crds {
		args = append(args, "crd/"+crd)
	}
	// kubectl wait fails at once on a CRD whose status is not written yet: retry.
	var out []byte
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if out, err = exec.Command(tool(t, "k8s/kubectl"), args...).CombinedOutput(); err == nil {
			return
		}
	}
	t.Fatalf("CRDs %v not established: %v\n%s", crds, err, out)
}

// tokenKubeconfig is a kubeconfig that authenticates as a ServiceAccount with a bound token.
func (c *cluster) tokenKubeconfig(t *testing.T, ns, sa string) string {
	t.Helper()
	token := c.token(t, ns, sa)
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: c.cfg.Host, CertificateAuthorityData: c.cfg.CAData}
	kc.AuthInfos[sa] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts["sa"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: sa, Namespace: ns}
	kc.CurrentContext = "sa"
	path := filepath.Join(t.TempDir(), sa+".kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func (c *cluster) token(t *testing.T, ns, sa string) string {
	t.Helper()
	tr, err := c.clientset.CoreV1().ServiceAccounts(ns).CreateToken(context.Background(), sa,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("cannot get a token for ServiceAccount %s/%s: %v", ns, sa, err)
	}
	return tr.Status.Token
}

var (
	managerOnce sync.Once
	managerBin  string
	managerErr  error
)

// buildManager builds cmd/manager once per test binary.
func buildManager(t *testing.T) string {
	t.Helper()
	managerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dropship-chart-test-")
		if err != nil {
			managerErr = err
			return
		}
		managerBin = filepath.Join(dir, "manager")
		_, managerErr = run("go", "build", "-o", managerBin, "./cmd/manager")
	})
	if managerErr != nil {
		t.Fatalf("cannot build cmd/manager: %v", managerErr)
	}
	return managerBin
}

// manager is the operator running as a process, as the installed Deployment would run it.
type manager struct {
	metricsAddr, healthAddr string
	logs                    *syncBuffer
}

// runManager starts cmd/manager with the container's arguments and environment from the
// installed Deployment, authenticated as the Deployment's ServiceAccount. Only the listen
// addresses change (to free local ports), the rest is the rendered configuration.
func (c *cluster) runManager(t *testing.T, d *appsv1.Deployment) *manager {
	t.Helper()
	bin := buildManager(t)
	pod := d.Spec.Template.Spec
	ctr := pod.Containers[0]
	m := &manager{metricsAddr: freeAddr(t), healthAddr: freeAddr(t), logs: &syncBuffer{}}
	var args []string
	seen := map[string]bool{}
	for _, a := range ctr.Args {
		switch {
		case strings.HasPrefix(a, "--metrics-bind-address="):
			a = "--metrics-bind-address=" + m.metricsAddr
			seen["metrics"] = true
		case strings.HasPrefix(a, "--health-probe-bind-address="):
			a = "--health-probe-bind-address=" + m.healthAddr
			seen["health"] = true
		}
		args = append(args, a)
	}
	// In a pod, controller-runtime finds the Lease's namespace in the mounted ServiceAccount
	// files; a process outside the cluster is told, as the pod's namespace.
	if v, _ := argValue(args, "leader-elect"); v == "true" || slices.Contains(args, "--leader-elect") {
		if _, ok := argValue(args, "leader-election-namespace"); !ok {
			args = append(args, "--leader-election-namespace="+d.Namespace)
		}
	}
	if !seen["metrics"] || !seen["health"] {
		t.Fatalf("the Deployment does not set the metrics and health addresses: %v", ctr.Args)
	}
	env := []string{
		"KUBECONFIG=" + c.tokenKubeconfig(t, d.Namespace, pod.ServiceAccountName),
		"HOME=" + t.TempDir(),
		"PATH=" + os.Getenv("PATH"),
	}
	for _, e := range ctr.Env {
		switch {
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+e.Value)
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace":
			env = append(env, e.Name+"="+d.Namespace)
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			env = append(env, e.Name+"="+d.Name+"-test")
		default:
			t.Fatalf("cannot resolve env %s of the Deployment", e.Name)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Dir = t.TempDir()
	cmd.Stdout, cmd.Stderr = m.logs, m.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			if waitErr != nil {
				t.Errorf("the manager did not shut down cleanly on SIGTERM: %v", waitErr)
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("the manager did not stop within 20s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("manager %v logs:\n%s", args, m.logs.String())
		}
	})
	// Ready when /readyz answers, as the kubelet's readiness probe would see it.
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("the manager exited: %v\n%s", waitErr, m.logs.String())
		default:
		}
		resp, err := http.Get("http://" + m.healthAddr + ctr.ReadinessProbe.HTTPGet.Path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the manager was not ready within 60s:\n%s", m.logs.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// scrape GETs the manager's secure metrics endpoint with a bearer token (none if empty).
func (m *manager) scrape(t *testing.T, token string) (int, string) {
	t.Helper()
	req, rerr := http.NewRequest(http.MethodGet, "https://"+m.metricsAddr+"/metrics", nil)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// The manager serves a self-signed certificate, as in the cluster.
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed test certificate
	// The metrics server may start listening a moment after the probes.
	var resp *http.Response
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		if resp, err = hc.Do(req); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cannot scrape the manager: %v", err)
		}
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// applySamples installs config/samples (namespace shop) as the admin.
func (c *cluster) applySamples(t *testing.T) {
	t.Helper()
	samples, err := run(tool(t, "kustomize"), "build", "config/samples")
	if err != nil {
		t.Fatal(err)
	}
	c.kubectl(t, samples, "apply", "--server-side", "--field-manager=test", "-f", "-")
}

// waitPolicyReady waits for a RoutingPolicy to be Ready. envtest runs no controller-manager,
// so the test plays the Deployment controller and kubelet: it marks the policy's
// dispatcher Deployments Available once the operator has created them.
func (c *cluster) waitPolicyReady(t *testing.T, m *manager, ns, name string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		deps, err := c.clientset.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=dropship-dispatcher"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range deps.Items {
			markAvailable(t, c, &deps.Items[i])
		}
		raw, err := c.clientset.RESTClient().Get().AbsPath("/apis/dropship.dev/v1alpha1/namespaces", ns, "routingpolicies", name).DoRaw(ctx)
		if err == nil {
			var rp unstructured.Unstructured
			if err := rp.UnmarshalJSON(raw); err != nil {
				t.Fatal(err)
			}
			conds, _, _ := unstructured.NestedSlice(rp.Object, "status", "conditions")
			last = fmt.Sprint(conds)
			for _, cond := range conds {
				cm, _ := cond.(map[string]any)
				if cm["type"] == "Ready" && cm["status"] == "True" {
					return
				}
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("RoutingPolicy %s/%s not Ready within 90s; conditions: %s\nmanager logs:\n%s", ns, name, last, m.logs.String())
}

func markAvailable(t *testing.T, c *cluster, d *appsv1.Deployment) {
	t.Helper()
	replicas := ptr.Deref(d.Spec.Replicas, 1)
	if d.Status.ObservedGeneration == d.Generation && d.Status.AvailableReplicas == replicas {
		return
	}
	now := metav1.Now()
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: d.Generation,
		Replicas:           replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable", LastUpdateTime: now, LastTransitionTime: now},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable", LastUpdateTime: now, LastTransitionTime: now},
		},
	}
	if _, err := c.clientset.AppsV1().Deployments(d.Namespace).UpdateStatus(context.Background(), d, metav1.UpdateOptions{}); err != nil {
		t.Logf("cannot mark %s/%s available (will retry): %v", d.Namespace, d.Name, err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// canI asks the API server whether a user may do something: "yes" or "no".
func (c *cluster) canI(t *testing.T, args ...string) string {
	t.Helper()
	out, _ := exec.Command(tool(t, "k8s/kubectl"), append([]string{"--kubeconfig", c.kubeconfig, "auth", "can-i"}, args...)...).Output()
	return strings.TrimSpace(string(out))
}
