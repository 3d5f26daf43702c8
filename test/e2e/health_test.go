package e2e

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
	"github.com/dropship-operator/dropship-operator/test/podrun"
)

// window is the policy's adaptive window: short, so the scenario heals quickly.
const window = 6 * time.Second

// syncBuffer collects the dispatcher's output for failure reports.
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

// TestSupplierHealthReachesStatus is the health-into-status scenario: weights C=40, D=30,
// E=30; C turns slow and failing, loses its share to D and E, and says so in status and
// one Event; C heals and everything turns back; an idle reporter writes nothing.
func TestSupplierHealthReachesStatus(t *testing.T) {
	needEnvtest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := newNamespace(t)
	healthy := suppliertest.Profile{ShipDelay: -1}
	fleet, err := suppliertest.StartFleet(
		suppliertest.Options{Name: "c", Profile: healthy, CallbackSecret: "cb", HangLimit: 3 * time.Second},
		suppliertest.Options{Name: "d", Profile: healthy, CallbackSecret: "cb", HangLimit: 3 * time.Second},
		suppliertest.Options{Name: "e", Profile: healthy, CallbackSecret: "cb", HangLimit: 3 * time.Second},
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	create(t, webhookSource(ns)...)
	create(t, secret(ns, "callbacks", config.SecretKeyCallbackSecret, "cb"))
	for _, n := range []string{"c", "d", "e"} {
		create(t, simSupplier(ns, n, fleet.Get(n).OrdersURL()))
	}
	create(t, weightedPolicy(ns, "main", window, map[string]int32{"c": 40, "d": 30, "e": 30}, "c", "d", "e"))

	// Run the Deployment the operator rendered, as a process.
	out := &syncBuffer{}
	port := freePort(t)
	runner := &podrun.Runner{Client: k8s, Namespace: ns, Name: "main-dispatcher", BinDir: binDir, Root: t.TempDir(),
		Port: port, ExtraEnv: []string{"KUBECONFIG=" + kubeconfig}, Output: out, Log: testr.New(t)}
	runDone := make(chan struct{})
	runCtx, stopRunner := context.WithCancel(ctx)
	go func() { defer close(runDone); _ = runner.Run(runCtx) }()
	t.Cleanup(func() {
		stopRunner()
		<-runDone
		if t.Failed() {
			t.Logf("dispatcher output:\n%s", tail(out.String(), 12000))
		}
	})

	eventually(t, "the policy is Ready", 40*time.Second, func() error {
		p, err := getPolicy(ns, "main")
		if err != nil {
			return err
		}
		return conditionIs(p.Status.Conditions, dropshipv1.ReadyCondition, metav1.ConditionTrue)
	})

	// Traffic: 25 orders a second until stopped; a stop lets the order in flight finish,
	// so sent counts exactly what the dispatcher took in.
	var sent atomic.Int64
	trafficStop, trafficDone := make(chan struct{}), make(chan struct{})
	var stopOnce sync.Once
	stopTraffic := func() { stopOnce.Do(func() { close(trafficStop) }); <-trafficDone }
	go func() {
		defer close(trafficDone)
		c := apptest.NewClient(fmt.Sprintf("127.0.0.1:%d", port))
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-trafficStop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if st, body, err := c.Post(ctx, apptest.Orders("E2E", i, 1)); err == nil && st < 300 {
				sent.Add(1)
			} else if ctx.Err() == nil {
				t.Errorf("intake: %d %v %s", st, err, body)
			}
		}
	}()
	t.Cleanup(stopTraffic)

	// Healthy: every supplier Healthy, weights at base, everything Current.
	eventually(t, "every supplier healthy", 15*time.Second, func() error {
		for _, n := range []string{"c", "d", "e"} {
			s, err := getSupplier(ns, n)
			if err != nil {
				return err
			}
			if err := conditionIs(s.Status.Conditions, dropshipv1.HealthyCondition, metav1.ConditionTrue); err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
		}
		p, err := getPolicy(ns, "main")
		if err != nil {
			return err
		}
		if a := allocationOf(p, "c"); a == nil || a.EffectiveWeight < 36 {
			return fmt.Errorf("c's allocation %+v, want its base weight 40", a)
		}
		return conditionIs(p.Status.Conditions, dropshipv1.DegradedCondition, metav1.ConditionFalse)
	})
	assertCurrent(t, ns)

	// C turns slow and failing.
	if err := fleet.Get("c").SetProfile(suppliertest.Profile{Latency: 300 * time.Millisecond, ErrorRate: 0.8, ShipDelay: -1}); err != nil {
		t.Fatal(err)
	}
	degradedAt := time.Now()
	eventually(t, "C unhealthy, its weight down, the policy Degraded", 12*interval, func() error {
		s, err := getSupplier(ns, "c")
		if err != nil {
			return err
		}
		if err := conditionIs(s.Status.Conditions, dropshipv1.HealthyCondition, metav1.ConditionFalse,
			dropshipv1.EjectedReason, dropshipv1.FailingReason); err != nil {
			return err
		}
		p, err := getPolicy(ns, "main")
		if err != nil {
			return err
		}
		if a := allocationOf(p, "c"); a == nil || a.EffectiveWeight >= 40 || a.Reason == "" {
			return fmt.Errorf("c's allocation %+v, want a lower weight and a reason", a)
		}
		return conditionIs(p.Status.Conditions, dropshipv1.DegradedCondition, metav1.ConditionTrue,
			dropshipv1.EjectedReason, dropshipv1.FailingReason)
	})
	t.Logf("C judged unhealthy %s after it turned bad", time.Since(degradedAt).Round(100*time.Millisecond))

	// D and E carry C's share: in the allocation, and at the simulators.
	before := acceptedBy(fleet)
	time.Sleep(3 * time.Second)
	after := acceptedBy(fleet)
	dc, dd, de := after["c"]-before["c"], after["d"]-before["d"], after["e"]-before["e"]
	if dd == 0 || de == 0 || float64(dc) > 0.2*float64(dc+dd+de) {
		t.Errorf("while C is bad the simulators accepted c=%d d=%d e=%d, want D and E to carry C's 40%%", dc, dd, de)
	}
	p, err := getPolicy(ns, "main")
	if err != nil {
		t.Fatal(err)
	}
	d, e := allocationOf(p, "d"), allocationOf(p, "e")
	if d == nil || e == nil || pct(d.Share)+pct(e.Share) < 70 {
		t.Errorf("allocation of d %+v and e %+v: want them to share more than 70%% between them", d, e)
	}
	t.Logf("allocation while C is bad: %s; simulators c=%d d=%d e=%d", p.Status.EffectiveWeights, dc, dd, de)
	warnings, err := supplierEvents(ns, "c", "Warning")
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 {
		t.Errorf("%d Warning Events for c, want exactly 1: %+v", len(warnings), warnings)
	}

	// C heals: it takes traffic again once its ejection ends and its failures leave the window.
	if err := fleet.Get("c").SetProfile(healthy); err != nil {
		t.Fatal(err)
	}
	healedAt := time.Now()
	eventually(t, "C healthy again, its weight back, the policy not Degraded", 30*time.Second, func() error {
		s, err := getSupplier(ns, "c")
		if err != nil {
			return err
		}
		if err := conditionIs(s.Status.Conditions, dropshipv1.HealthyCondition, metav1.ConditionTrue); err != nil {
			return err
		}
		p, err := getPolicy(ns, "main")
		if err != nil {
			return err
		}
		if a := allocationOf(p, "c"); a == nil || a.EffectiveWeight < 36 || a.State != dropshipv1.AllocationActive {
			return fmt.Errorf("c's allocation %+v, want Active near 40", a)
		}
		return conditionIs(p.Status.Conditions, dropshipv1.DegradedCondition, metav1.ConditionFalse)
	})
	t.Logf("C judged healthy %s after it healed", time.Since(healedAt).Round(100*time.Millisecond))
	recoveries, err := supplierEvents(ns, "c", "Normal")
	if err != nil {
		t.Fatal(err)
	}
	if warnings, _ = supplierEvents(ns, "c", "Warning"); len(warnings) != 1 || len(recoveries) != 1 || recoveries[0].Reason != "Healthy" {
		t.Errorf("events for c: %d Warning, %d Normal %+v; want 1 and 1 (Healthy)", len(warnings), len(recoveries), recoveries)
	}
	assertCurrent(t, ns)

	// Idle: no traffic. Once the window has emptied, the reporter has nothing to say, writes
	// nothing, and only the Lease moves.
	stopTraffic()
	time.Sleep(window + 4*interval)
	rv0, lease0 := resourceVersions(t, ns), renewTime(t, ns)
	time.Sleep(5 * interval)
	rv1, lease1 := resourceVersions(t, ns), renewTime(t, ns)
	for k, v := range rv0 {
		if rv1[k] != v {
			t.Errorf("%s was written while the reporter was idle (resourceVersion %s → %s)", k, v, rv1[k])
		}
	}
	if !lease1.After(lease0) {
		t.Errorf("the Lease was not renewed while idle (%s → %s): no heartbeat", lease0, lease1)
	}
	p, err = getPolicy(ns, "main")
	if err != nil {
		t.Fatal(err)
	}
	if err := conditionIs(p.Status.Conditions, dropshipv1.DispatcherAvailableCondition, metav1.ConditionTrue); err != nil {
		t.Errorf("idle dispatcher: %v", err)
	}
	if p.Status.Throughput == nil || p.Status.Throughput.Received != sent.Load() {
		t.Errorf("throughput %+v, want %d lines received", p.Status.Throughput, sent.Load())
	}
}

func assertCurrent(t *testing.T, ns string) {
	t.Helper()
	for _, o := range []struct{ kind, name string }{
		{"OrderSource", "intake"}, {"Supplier", "c"}, {"Supplier", "d"}, {"Supplier", "e"}, {"RoutingPolicy", "main"},
	} {
		st, err := kstatusOf(ns, o.kind, o.name)
		if err != nil || st != status.CurrentStatus {
			t.Errorf("kstatus of %s %s: %s %v, want Current", o.kind, o.name, st, err)
		}
	}
}

func acceptedBy(f *suppliertest.Fleet) map[string]uint64 {
	out := map[string]uint64{}
	for _, s := range f.Stats() {
		out[s.Name] = s.Accepted
	}
	return out
}

func pct(s string) float64 {
	var v float64
	_, _ = fmt.Sscanf(s, "%g", &v)
	return v
}

func resourceVersions(t *testing.T, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range []string{"c", "d", "e"} {
		s, err := getSupplier(ns, n)
		if err != nil {
			t.Fatal(err)
		}
		out["Supplier "+n] = s.ResourceVersion
	}
	p, err := getPolicy(ns, "main")
	if err != nil {
		t.Fatal(err)
	}
	out["RoutingPolicy main"] = p.ResourceVersion
	return out
}

func renewTime(t *testing.T, ns string) time.Time {
	t.Helper()
	l := &coordinationv1.Lease{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "main-dispatcher"}, l); err != nil {
		t.Fatal(err)
	}
	if l.Spec.RenewTime == nil {
		t.Fatal("the Lease has no renewTime")
	}
	return l.Spec.RenewTime.Time
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
