package chain

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/test/harness"
)

// orders is how many audited drop-ship sales orders the ERP simulator holds.
const orders = 1200

// TestWholeChain runs config/samples (through config/demo) against the simulators: the
// live policy main must take in every order, send each line to one supplier exactly once,
// record one audited purchase order per line and the tracking numbers in the ERP, split
// traffic by the declared weights, and report what the simulators saw into status; the
// shadow policy, over the same orders, must decide every line and send nothing.
func TestWholeChain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	started := time.Now()
	work := os.Getenv("DROPSHIP_E2E_DIR") // keeps the logs and journals of the run
	if work == "" {
		work = t.TempDir()
	} else if err := os.RemoveAll(work); err != nil { // a journal left from an earlier run would hold these orders
		t.Fatal(err)
	}
	env, err := harness.Start(ctx, harness.Options{
		RepoRoot: repoRoot, BinDir: binDir, K8sBinDir: k8sBin, WorkDir: work,
		Sim:               harness.SimOptions{Orders: orders, Latency: 5 * time.Millisecond, Jitter: 10 * time.Millisecond, ShipDelay: time.Second},
		ReportingInterval: 2 * time.Second,
		Log:               testr.New(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("cannot stop the chain: %v", err)
		}
	})
	if err := env.ApplyDemo(ctx); err != nil {
		t.Fatal(err)
	}
	createShadowPolicy(ctx, t, env, "main", "shadow")
	live, err := env.RunDispatcher(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	shadow, err := env.RunDispatcher(ctx, "shadow")
	if err != nil {
		t.Fatal(err)
	}
	waitSettled(ctx, t, live, func(p harness.Progress) bool { return p.Orders == orders && p.InFlight == 0 })
	waitSettled(ctx, t, shadow, func(p harness.Progress) bool { return p.Orders == orders && p.Shadowed == p.Lines })
	t.Logf("%d orders settled in both dispatchers %s after start", orders, time.Since(started).Round(time.Second))

	erp, err := env.ERP()
	if err != nil {
		t.Fatal(err)
	}
	sos, err := erp.SalesOrders(ctx, "F_TrackingNo", "F_Carrier")
	if err != nil {
		t.Fatal(err)
	}
	bills, err := erp.BillNos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bills) != orders {
		t.Fatalf("the ERP holds %d drop-ship sales orders, want %d", len(bills), orders)
	}
	lines, err := live.Lines(ctx, bills)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(sos) {
		t.Fatalf("the live dispatcher journaled %d lines, the ERP's sales orders have %d", len(lines), len(sos))
	}

	t.Run("every line ends Closed or DeadLettered with a reason", func(t *testing.T) {
		for _, l := range lines {
			switch l.State {
			case order.StateClosed:
				if l.Supplier == "" || l.SupplierOrderID == "" || l.PurchaseOrderNo == "" || l.Shipment == nil || l.Shipment.TrackingNo == "" {
					t.Errorf("line %s is Closed without supplier, supplier order, purchase order or tracking: %+v", l.ID, l)
				}
			case order.StateDeadLettered:
				if l.Reason == "" {
					t.Errorf("line %s is dead-lettered without a reason", l.ID)
				}
			default:
				t.Errorf("line %s ended %s, want Closed or DeadLettered", l.ID, l.State)
			}
		}
	})

	t.Run("suppliers received every line once", func(t *testing.T) {
		supplierOrders := map[string]map[string]bool{}
		for _, l := range lines {
			if l.State == order.StateClosed {
				if supplierOrders[l.Supplier] == nil {
					supplierOrders[l.Supplier] = map[string]bool{}
				}
				supplierOrders[l.Supplier][l.SupplierOrderID] = true
			}
		}
		for _, name := range env.SupplierNames() {
			st, err := env.SupplierStats(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if st.Duplicates != 0 || st.KeyConflicts != 0 {
				t.Errorf("%s saw %d duplicate lines and %d key conflicts, want none", name, st.Duplicates, st.KeyConflicts)
			}
			if want := uint64(len(supplierOrders[name])); st.Accepted != want {
				t.Errorf("%s accepted %d orders, the journal holds %d distinct supplier orders for it (the shadow policy must send nothing)", name, st.Accepted, want)
			}
		}
	})

	t.Run("one audited purchase order per dispatched line", func(t *testing.T) {
		pos, err := erp.PurchaseOrders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		erpNumber := supplierNumbers(ctx, t, env)
		byLink := map[string]harness.PurchaseOrderLine{}
		for _, p := range pos {
			k := p.SalesOrderNo + "/" + p.SalesOrderEntry
			if _, dup := byLink[k]; dup {
				t.Errorf("two purchase orders for sales order line %s", k)
			}
			byLink[k] = p
		}
		dispatched := 0
		for _, l := range lines {
			if l.State != order.StateClosed {
				continue
			}
			dispatched++
			p, ok := byLink[l.BillNo+"/"+l.EntryID]
			switch {
			case !ok:
				t.Errorf("no purchase order for line %s", l.ID)
			case p.Status != "C":
				t.Errorf("purchase order %s of line %s has status %q, want C (audited)", p.BillNo, l.ID, p.Status)
			case p.Supplier != erpNumber[l.Supplier]:
				t.Errorf("purchase order %s of line %s names supplier %q, want %q (%s)", p.BillNo, l.ID, p.Supplier, erpNumber[l.Supplier], l.Supplier)
			}
		}
		if len(pos) != dispatched {
			t.Errorf("the ERP holds %d purchase order lines for %d dispatched lines", len(pos), dispatched)
		}
	})

	t.Run("tracking numbers on the sales orders", func(t *testing.T) {
		closed := map[string]int{}
		total := map[string]int{}
		for _, l := range lines {
			total[l.BillNo]++
			if l.State == order.StateClosed {
				closed[l.BillNo]++
			}
		}
		withTracking := 0
		for _, so := range sos {
			if so.TrackingNo != "" {
				withTracking++
				continue
			}
			if closed[so.BillNo] > 0 {
				t.Errorf("sales order %s has %d shipped lines but no tracking number in the ERP", so.BillNo, closed[so.BillNo])
			}
		}
		if withTracking == 0 {
			t.Error("no sales order carries a tracking number")
		}
	})

	t.Run("allocation follows the weights", func(t *testing.T) {
		weights, rules, err := env.PolicyWeights(ctx, "main")
		if err != nil {
			t.Fatal(err)
		}
		a := harness.Allocate(lines, time.Time{}, time.Time{})
		for _, rule := range []string{"south", "east", "north"} {
			n := float64(a.ByRule[rule])
			if n < 30 {
				t.Errorf("rule %s routed only %.0f lines: too few to judge", rule, n)
				continue
			}
			for sup, w := range weights[rule] {
				got := a.Share(rule, sup)
				tol := 4*math.Sqrt(w*(1-w)/n) + 0.02 // four standard deviations of a weighted draw
				if math.Abs(got-w) > tol {
					t.Errorf("rule %s: %s got %.1f%% of %d lines, weight %.0f%% (tolerance ±%.1f points)", rule, sup, 100*got, int(n), 100*w, 100*tol)
				}
			}
		}
		t.Logf("rules %v: %s; %s; %s", rules, harness.RuleLine(a, "south"), harness.RuleLine(a, "east"), harness.RuleLine(a, "north"))
	})

	t.Run("shadow mode decides every line and sends nothing", func(t *testing.T) {
		slines, err := shadow.Lines(ctx, bills)
		if err != nil {
			t.Fatal(err)
		}
		if len(slines) != len(lines) {
			t.Fatalf("the shadow dispatcher journaled %d lines, want %d", len(slines), len(lines))
		}
		for _, l := range slines {
			if l.State != order.StateShadowed || l.Supplier == "" || l.Rule == "" || len(l.Explain) == 0 {
				t.Errorf("shadow line %s: state %s, supplier %q, rule %q, explain %d bytes; want Shadowed with a recorded decision", l.ID, l.State, l.Supplier, l.Rule, len(l.Explain))
			}
			if l.SupplierOrderID != "" || l.PurchaseOrderNo != "" {
				t.Errorf("shadow line %s has supplier order %q / purchase order %q", l.ID, l.SupplierOrderID, l.PurchaseOrderNo)
			}
		}
		m, err := shadow.Metrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := m.Sum("dropship_supplier_requests_total"); n != 0 {
			t.Errorf("the shadow dispatcher made %v supplier calls, want 0", n)
		}
		if n := m.Sum("dropship_erp_writebacks_total"); n != 0 {
			t.Errorf("the shadow dispatcher wrote %v times into the ERP, want 0", n)
		}
	})

	t.Run("status and conditions match what the simulators saw", func(t *testing.T) {
		want := map[string]int64{}
		var closed, dead int64
		for _, l := range lines {
			switch l.State {
			case order.StateClosed:
				closed++
				want[l.Supplier]++
			case order.StateDeadLettered:
				dead++
			}
		}
		var last string
		ok := eventually(ctx, 30*time.Second, func() bool {
			rp := &dropshipv1.RoutingPolicy{}
			if err := env.Client.Get(ctx, types.NamespacedName{Namespace: env.Namespace, Name: "main"}, rp); err != nil {
				last = err.Error()
				return false
			}
			if !meta.IsStatusConditionTrue(rp.Status.Conditions, dropshipv1.ReadyCondition) ||
				meta.IsStatusConditionTrue(rp.Status.Conditions, dropshipv1.DegradedCondition) {
				last = fmt.Sprintf("policy main is not Ready or is Degraded: %+v", rp.Status.Conditions)
				return false
			}
			tp := rp.Status.Throughput
			if tp == nil || tp.Received != int64(len(lines)) || tp.Dispatched != closed || tp.Shipped != closed || tp.DeadLettered != dead || tp.Backlog != 0 {
				last = fmt.Sprintf("policy main throughput %+v, want received %d, dispatched and shipped %d, dead-lettered %d, backlog 0", tp, len(lines), closed, dead)
				return false
			}
			for _, name := range env.SupplierNames() {
				st, err := env.SupplierStats(ctx, name)
				if err != nil {
					last = err.Error()
					return false
				}
				sup := &dropshipv1.Supplier{}
				if err := env.Client.Get(ctx, types.NamespacedName{Namespace: env.Namespace, Name: name}, sup); err != nil {
					last = err.Error()
					return false
				}
				if !meta.IsStatusConditionTrue(sup.Status.Conditions, dropshipv1.ReadyCondition) ||
					!meta.IsStatusConditionTrue(sup.Status.Conditions, dropshipv1.HealthyCondition) {
					last = fmt.Sprintf("supplier %s is not Ready and Healthy though the simulator never failed: %+v", name, sup.Status.Conditions)
					return false
				}
				var mine *dropshipv1.DispatcherHealthReport
				for i := range sup.Status.Dispatchers {
					if sup.Status.Dispatchers[i].Policy == env.Namespace+"/main" || sup.Status.Dispatchers[i].Policy == "main" {
						mine = &sup.Status.Dispatchers[i]
					}
				}
				if mine == nil {
					last = fmt.Sprintf("supplier %s has no status entry of policy main: %+v", name, sup.Status.Dispatchers)
					return false
				}
				if mine.OrdersToday != int64(st.Accepted) || int64(st.Accepted) != want[name] || mine.Requests < int64(st.Accepted) {
					last = fmt.Sprintf("supplier %s: status ordersToday %d, requests %d; simulator accepted %d of %d requests; journal %d lines",
						name, mine.OrdersToday, mine.Requests, st.Accepted, st.Requests, want[name])
					return false
				}
			}
			return true
		})
		if !ok {
			t.Errorf("status never matched the simulators: %s", last)
		}
	})
	t.Logf("whole chain test took %s", time.Since(started).Round(time.Second))
}

// createShadowPolicy creates a copy of a policy in Shadow mode over the same source.
func createShadowPolicy(ctx context.Context, t *testing.T, env *harness.Env, from, name string) {
	t.Helper()
	rp := &dropshipv1.RoutingPolicy{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: env.Namespace, Name: from}, rp); err != nil {
		t.Fatal(err)
	}
	shadow := &dropshipv1.RoutingPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: name}, Spec: *rp.Spec.DeepCopy()}
	shadow.Spec.Mode = dropshipv1.ModeShadow
	if err := env.Client.Create(ctx, shadow); err != nil {
		t.Fatal(err)
	}
}

// supplierNumbers maps each Supplier to its ERP number.
func supplierNumbers(ctx context.Context, t *testing.T, env *harness.Env) map[string]string {
	t.Helper()
	list := &dropshipv1.SupplierList{}
	if err := env.Client.List(ctx, list); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range list.Items {
		out[s.Name] = s.Spec.ERPNumber
	}
	return out
}

func waitSettled(ctx context.Context, t *testing.T, d *harness.Dispatcher, done func(harness.Progress) bool) {
	t.Helper()
	var p harness.Progress
	ok := eventually(ctx, 150*time.Second, func() bool {
		var err error
		p, err = d.Progress(ctx)
		return err == nil && done(p)
	})
	if !ok {
		t.Fatalf("the %s dispatcher did not settle: %+v (log %s)", d.Policy, p, d.Log)
	}
}

func eventually(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(500 * time.Millisecond)
	}
}
