package kube

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
)

// The reporter against a real API server: one per package, started in TestMain.
var (
	k8s        client.Client
	kubeconfig string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := dropshipv1.AddToScheme(scheme); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		env.BinaryAssetsDirectory = filepath.Join("..", "..", "bin", "k8s")
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the API server (make k8s-bins): %v\n", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	user, err := env.AddUser(envtest.User{Name: "reporter", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	kc, err := user.KubeConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "kube-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func mustCreate(t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := k8s.Create(context.Background(), o); err != nil {
			t.Fatalf("cannot create %T %q: %v", o, o.GetName(), err)
		}
	}
}

// objects creates a namespace with Supplier s, OrderSource src and policies p1 and p2.
func objects(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "kube-"}}
	mustCreate(t, ns)
	sup := &dropshipv1.Supplier{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "s"},
		Spec: dropshipv1.SupplierSpec{Regions: []string{"*"}, Endpoint: dropshipv1.SupplierEndpoint{HTTP: &dropshipv1.HTTPEndpoint{
			URL: "http://127.0.0.1:1/orders", Auth: dropshipv1.HTTPAuth{Type: dropshipv1.HTTPAuthNone},
			Shipments: dropshipv1.Shipments{Mode: dropshipv1.ShipmentsCallback, CallbackSecretRef: &dropshipv1.SecretReference{Name: "cb"}}}}}}
	src := &dropshipv1.OrderSource{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "src"},
		Spec: dropshipv1.OrderSourceSpec{Webhook: &dropshipv1.WebhookSource{SecretRef: dropshipv1.SecretReference{Name: "intake"}}}}
	mustCreate(t, sup, src)
	for _, p := range []string{"p1", "p2"} {
		mustCreate(t, &dropshipv1.RoutingPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: p},
			Spec: dropshipv1.RoutingPolicySpec{SourceRef: dropshipv1.LocalObjectReference{Name: "src"},
				Rules: []dropshipv1.Rule{{Name: "all", Tiers: []dropshipv1.Tier{{Suppliers: []dropshipv1.WeightedSupplier{{Name: "s", Weight: 10}}}}}}}})
	}
	return ns.Name
}

// figures is a settable Source: the reporter under test reads whatever the test set.
type figures struct{ f Figures }

func (s *figures) Gather(context.Context) (*Figures, error) { f := s.f; return &f, nil }

func newReporter(t *testing.T, ns, policy string, src Source) *Reporter {
	t.Helper()
	r, err := New(src, Options{Policy: config.PolicyRef{Namespace: ns, Name: policy}, Source: "src", Interval: time.Second,
		LeaseName: policy + "-dispatcher", Identity: policy + "-0", Kubeconfig: kubeconfig, Log: testr.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func supplierFigures(state health.State, requests int64, success float64, verdict health.Condition) SupplierFigures {
	return SupplierFigures{Snapshot: health.Snapshot{Supplier: "s", Window: config.D(time.Minute), Requests: requests,
		SuccessRate: success, P95LatencyMillis: 100, OrdersToday: requests, State: state}, Verdict: verdict}
}

// TestTwoPoliciesShareASupplier: two dispatchers report on one supplier under their own
// field managers; each keeps its entry, the health is merged, the worst verdict wins and
// one Event marks the ejection; reporting the same figures again writes nothing.
func TestTwoPoliciesShareASupplier(t *testing.T) {
	ns := objects(t)
	ctx := context.Background()
	now := time.Now()
	ok := health.Condition{Status: health.ConditionTrue, Reason: health.ReasonHealthy, Message: "99% of calls succeeded"}
	ejected := health.Condition{Status: health.ConditionFalse, Reason: health.ReasonEjected, Message: "ejected by outlier detection"}
	alloc := []routing.Allocation{{Rule: "all", Supplier: "s", BaseWeight: 10, EffectiveWeight: 10, ExpectedShare: 1, State: routing.AllocationActive}}
	f1 := &figures{Figures{Now: now, Window: time.Minute, Suppliers: []SupplierFigures{supplierFigures(health.StateActive, 300, 1, ok)},
		Allocation: alloc, Accepted: map[string]int64{"s": 300}, Counts: map[order.State]int64{order.StateAccepted: 300},
		Source: &SourceFigures{LastPollTime: now, Watermark: "2026-11-24T04:00:00", OrdersReceived: 42}}}
	f2 := &figures{Figures{Now: now, Window: time.Minute, Suppliers: []SupplierFigures{supplierFigures(health.StateEjected, 100, 0.6, ejected)},
		Allocation: alloc, Counts: map[order.State]int64{}}}
	r1, r2 := newReporter(t, ns, "p1", f1), newReporter(t, ns, "p2", f2)
	for _, r := range []*Reporter{r1, r2} {
		if err := r.ReportOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	sup := &dropshipv1.Supplier{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "s"}, sup); err != nil {
		t.Fatal(err)
	}
	if n := len(sup.Status.Dispatchers); n != 2 {
		t.Fatalf("%d dispatcher entries, want one per policy: %+v", n, sup.Status.Dispatchers)
	}
	h := sup.Status.Health
	if h == nil || h.State != dropshipv1.SupplierEjected || h.Requests != 400 || h.SuccessRate != "90" || h.OrdersToday != 400 {
		t.Errorf("merged health %+v, want Ejected, 400 requests, 90%% success, 400 orders", h)
	}
	c := meta.FindStatusCondition(sup.Status.Conditions, dropshipv1.HealthyCondition)
	if c == nil || c.Status != metav1.ConditionFalse || c.Reason != dropshipv1.EjectedReason {
		t.Errorf("Healthy %+v, want False/Ejected", c)
	}
	managers := map[string]bool{}
	for _, mf := range sup.ManagedFields {
		managers[mf.Manager] = true
	}
	if !managers["dropship-dispatcher/p1"] || !managers["dropship-dispatcher/p2"] {
		t.Errorf("field managers %v, want one per policy", managers)
	}

	// p1's own view: healthy entry, and once p1 reports again the condition stays the
	// worst of both (p2's entry says Ejected).
	var mine *dropshipv1.DispatcherHealthReport
	for i := range sup.Status.Dispatchers {
		if sup.Status.Dispatchers[i].Policy == ns+"/p1" {
			mine = &sup.Status.Dispatchers[i]
		}
	}
	if mine == nil || mine.State != dropshipv1.SupplierActive || mine.SuccessRate != "100" || mine.ReportedAt == nil {
		t.Errorf("p1's entry %+v", mine)
	}

	var evs corev1.EventList
	if err := k8s.List(ctx, &evs, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	// core/v1 lists events.k8s.io Events too.
	warnings := 0
	for _, e := range evs.Items {
		if e.InvolvedObject.Name == "s" && e.Type == corev1.EventTypeWarning {
			warnings++
		}
	}
	if warnings != 1 {
		t.Errorf("%d Warning Events for s, want 1 (p2's ejection; p1 saw it healthy)", warnings)
	}

	// The OrderSource and the policy.
	src := &dropshipv1.OrderSource{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "src"}, src); err != nil {
		t.Fatal(err)
	}
	if src.Status.OrdersReceived != 42 || src.Status.Watermark != "2026-11-24T04:00:00" || src.Status.LastPollTime == nil {
		t.Errorf("OrderSource status %+v", src.Status)
	}
	p := &dropshipv1.RoutingPolicy{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "p2"}, p); err != nil {
		t.Fatal(err)
	}
	if p.Status.EffectiveWeights != "s=10" || len(p.Status.Allocation) != 1 || p.Status.Throughput == nil || p.Status.Dispatcher == nil || p.Status.Dispatcher.LastHeartbeatTime == nil {
		t.Errorf("policy status %+v", p.Status)
	}
	if c := meta.FindStatusCondition(p.Status.Conditions, dropshipv1.DegradedCondition); c == nil || c.Status != metav1.ConditionTrue || c.Reason != dropshipv1.EjectedReason {
		t.Errorf("Degraded %+v, want True/Ejected", c)
	}

	// Same figures again: nothing is written.
	rv := map[string]string{"supplier": sup.ResourceVersion, "source": src.ResourceVersion, "policy": p.ResourceVersion}
	w1, w2 := r1.Writes(), r2.Writes()
	for _, r := range []*Reporter{r1, r2} {
		if err := r.ReportOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if r1.Writes() != w1 || r2.Writes() != w2 {
		t.Errorf("unchanged figures were written again: %d→%d, %d→%d writes", w1, r1.Writes(), w2, r2.Writes())
	}
	_ = k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "s"}, sup)
	_ = k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "src"}, src)
	_ = k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "p2"}, p)
	if sup.ResourceVersion != rv["supplier"] || src.ResourceVersion != rv["source"] || p.ResourceVersion != rv["policy"] {
		t.Errorf("resourceVersions moved without a change: %v → %s %s %s", rv, sup.ResourceVersion, src.ResourceVersion, p.ResourceVersion)
	}

	// p2's supplier recovers: its entry and the merged health follow, and one recovery Event.
	f2.f.Suppliers = []SupplierFigures{supplierFigures(health.StateActive, 100, 1, ok)}
	if err := r2.ReportOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "s"}, sup); err != nil {
		t.Fatal(err)
	}
	if c := meta.FindStatusCondition(sup.Status.Conditions, dropshipv1.HealthyCondition); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Healthy after recovery %+v", c)
	}
	if h := sup.Status.Health; h == nil || h.State != dropshipv1.SupplierActive || h.SuccessRate != "100" {
		t.Errorf("merged health after recovery %+v", h)
	}
}
