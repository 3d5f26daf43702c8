package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// Scale of BenchmarkOperatorScale (issue 2): 1,000 Suppliers and 100 RoutingPolicies of 10
// suppliers each.
const (
	benchSuppliers          = 1000
	benchPolicies           = 100
	benchSuppliersPerPolicy = 10
)

// BenchmarkOperatorScale builds the real manager binary, runs it as its own process against
// a local kube-apiserver and etcd (envtest), creates the objects and reports the time until
// every object's observedGeneration is current, the manager's API writes per object (from
// its rest_client_requests_total metric) and its peak RSS (VmHWM). Run it with
// `make bench-operator`.
func BenchmarkOperatorScale(b *testing.B) {
	ctx := context.Background()
	ctrllog.SetLogger(logr.Discard())
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		b.Fatal(err)
	}
	if err := dropshipv1.AddToScheme(scheme); err != nil {
		b.Fatal(err)
	}
	root := filepath.Join("..", "..")
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		env.BinaryAssetsDirectory = filepath.Join(root, "bin", "k8s")
	}
	cfg, err := env.Start()
	if err != nil {
		b.Fatalf("cannot start the API server (make k8s-bins): %v", err)
	}
	b.Cleanup(func() { _ = env.Stop() })
	cfg.QPS, cfg.Burst = -1, 0
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}

	dir := b.TempDir()
	bin := filepath.Join(dir, "manager")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("cannot build the manager: %v\n%s", err, out)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	user, err := env.AddUser(envtest.User{Name: "bench-manager", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		b.Fatal(err)
	}
	metricsAddr := freeAddr(b)
	mgr := exec.Command(bin, "--metrics-bind-address="+metricsAddr, "--metrics-secure=false",
		"--health-probe-bind-address=0", "--dispatcher-image=example.com/dropship:bench", "--zap-log-level=error")
	mgr.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	mgr.Stdout, mgr.Stderr = os.Stderr, os.Stderr
	if err := mgr.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = mgr.Process.Kill(); _ = mgr.Wait() })
	waitFor(b, "manager metrics", func() bool { _, err := writeRequests(metricsAddr); return err == nil })
	writesBefore, _ := writeRequests(metricsAddr)

	const ns = "bench"
	b.ResetTimer()
	start := time.Now()
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "intake-hmac"},
			StringData: map[string]string{"hmacSecret": "bench"}},
		&dropshipv1.OrderSource{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "intake"},
			Spec: dropshipv1.OrderSourceSpec{Webhook: &dropshipv1.WebhookSource{
				SecretRef: dropshipv1.SecretReference{Name: "intake-hmac"}}}},
	}
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	createAll(b, c, benchSuppliers, func(i int) client.Object { return benchSupplier(ns, i) })
	createAll(b, c, benchPolicies, func(i int) client.Object { return benchPolicy(ns, i) })

	var current int
	waitFor(b, "every object reconciled", func() bool {
		current = reconciledCount(ctx, b, c, ns)
		return current == benchSuppliers+benchPolicies+1
	})
	elapsed := time.Since(start)
	b.StopTimer()
	writesDone, err := writeRequests(metricsAddr)
	if err != nil {
		b.Fatal(err)
	}
	// Settle: wait until the manager has been quiet for two seconds (Events are sent
	// asynchronously and may trail the last status write).
	writesIdle := writesDone
	for quiet := 0; quiet < 2; {
		time.Sleep(time.Second)
		w, err := writeRequests(metricsAddr)
		if err != nil {
			b.Fatal(err)
		}
		if w == writesIdle {
			quiet++
		} else {
			quiet, writesIdle = 0, w
		}
	}
	rss := peakRSS(b, mgr.Process.Pid)

	objects := float64(benchSuppliers + benchPolicies + 1)
	writes := writesIdle - writesBefore
	b.ReportMetric(elapsed.Seconds(), "s-to-reconciled")
	b.ReportMetric(writes/objects, "writes/object")
	b.ReportMetric(writesIdle-writesDone, "trailing-writes")
	b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
	b.Logf("%d Suppliers + %d RoutingPolicies + 1 OrderSource reconciled in %s; %.0f writes in all (%.2f per object; %.0f of them after the last object was current); manager peak RSS %.1f MiB",
		benchSuppliers, benchPolicies, elapsed.Round(time.Millisecond), writes, writes/objects, writesIdle-writesDone, float64(rss)/1024)
}

func benchSupplier(ns string, i int) *dropshipv1.Supplier {
	name := fmt.Sprintf("supplier-%04d", i)
	return &dropshipv1.Supplier{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1.SupplierSpec{
			Endpoint: dropshipv1.SupplierEndpoint{HTTP: &dropshipv1.HTTPEndpoint{
				URL:  "https://" + name + ".example/v1/orders",
				Auth: dropshipv1.HTTPAuth{Type: dropshipv1.HTTPAuthNone},
				Shipments: dropshipv1.Shipments{Mode: dropshipv1.ShipmentsPoll,
					PollURL: "https://" + name + ".example/v1/orders/{{.SupplierOrderID}}"},
			}},
			Regions: []string{"*"},
		},
	}
}

func benchPolicy(ns string, i int) *dropshipv1.RoutingPolicy {
	var tier dropshipv1.Tier
	for j := range benchSuppliersPerPolicy {
		tier.Suppliers = append(tier.Suppliers, dropshipv1.WeightedSupplier{
			Name: fmt.Sprintf("supplier-%04d", (i*benchSuppliersPerPolicy+j)%benchSuppliers), Weight: int32(10 + j),
		})
	}
	return &dropshipv1.RoutingPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("policy-%03d", i)},
		Spec: dropshipv1.RoutingPolicySpec{
			SourceRef: dropshipv1.LocalObjectReference{Name: "intake"},
			Rules:     []dropshipv1.Rule{{Name: "all", Tiers: []dropshipv1.Tier{tier}}},
		},
	}
}

// createAll creates n objects with a few parallel clients, as kubectl apply of a folder would.
func createAll(b *testing.B, c client.Client, n int, mk func(int) client.Object) {
	b.Helper()
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 8 {
		wg.Go(func() {
			for i := range work {
				if err := c.Create(context.Background(), mk(i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
}

// reconciledCount is how many dropship objects are fully reconciled: observedGeneration
// current and, beyond that, suppliers and the source Ready and every policy with its
// references resolved and its dispatcher rendered (a policy reconciled before its suppliers
// reached the manager's cache is current but not done).
func reconciledCount(ctx context.Context, b *testing.B, c client.Client, ns string) int {
	var n int
	var sups dropshipv1.SupplierList
	var pols dropshipv1.RoutingPolicyList
	var srcs dropshipv1.OrderSourceList
	for _, l := range []client.ObjectList{&sups, &pols, &srcs} {
		if err := c.List(ctx, l, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
	}
	for _, s := range sups.Items {
		if s.Status.ObservedGeneration == s.Generation && meta.IsStatusConditionTrue(s.Status.Conditions, dropshipv1.ReadyCondition) {
			n++
		}
	}
	for _, p := range pols.Items {
		if p.Status.ObservedGeneration == p.Generation && p.Status.Dispatcher != nil && p.Status.Dispatcher.ConfigHash != "" &&
			meta.IsStatusConditionTrue(p.Status.Conditions, dropshipv1.SuppliersResolvedCondition) &&
			meta.IsStatusConditionTrue(p.Status.Conditions, dropshipv1.SourceResolvedCondition) {
			n++
		}
	}
	for _, s := range srcs.Items {
		if s.Status.ObservedGeneration == s.Generation && meta.IsStatusConditionTrue(s.Status.Conditions, dropshipv1.ReadyCondition) {
			n++
		}
	}
	return n
}

// writeRequests sums the manager's create/update/patch/delete requests from its metrics.
func writeRequests(addr string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var total float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "rest_client_requests_total{") {
			continue
		}
		for _, m := range []string{`method="POST"`, `method="PUT"`, `method="PATCH"`, `method="DELETE"`} {
			if strings.Contains(line, m) {
				v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
				if err != nil {
					return 0, err
				}
				total += v
			}
		}
	}
	return total, sc.Err()
}

// peakRSS is the process's peak resident set size in KiB (VmHWM).
func peakRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			v, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return v
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}

func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitFor(b *testing.B, what string, ok func() bool) {
	b.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("timed out waiting for %s", what)
}
