package controllers

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// reconcileCount is how many reconciles a controller finished, from its metrics.
func reconcileCount(t *testing.T, controller string) float64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == controller {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}

// namespaceWrites are the manager's writes to objects in ns so far.
func namespaceWrites(ns string) map[string]int {
	out := map[string]int{}
	for k, v := range writes.snapshot() {
		if strings.Contains(k, "/namespaces/"+ns+"/") {
			out[k] = v
		}
	}
	return out
}

// resourceVersions of every object the test world consists of.
func resourceVersions(t *testing.T, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lists := []client.ObjectList{
		&dropshipv1.OrderSourceList{}, &dropshipv1.SupplierList{}, &dropshipv1.RoutingPolicyList{},
		&corev1.ConfigMapList{}, &corev1.ServiceList{},
	}
	for _, l := range lists {
		if err := k8sClient.List(context.Background(), l, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		items, _ := metaItems(l)
		for _, o := range items {
			out[fmt.Sprintf("%T/%s", l, o.GetName())] = o.GetResourceVersion()
		}
	}
	return out
}

func metaItems(l client.ObjectList) ([]metav1.Object, error) {
	var out []metav1.Object
	switch l := l.(type) {
	case *dropshipv1.OrderSourceList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *dropshipv1.SupplierList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *dropshipv1.RoutingPolicyList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *corev1.ConfigMapList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *corev1.ServiceList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	}
	return out, nil
}

// TestIdleReconcileWritesNothing proves the steady state: once everything is reconciled,
// reconciles triggered by unrelated changes to watched objects issue no API writes.
func TestIdleReconcileWritesNothing(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	makeAvailable(t, w.deployment(t), true)
	expectCondition(t, w.policy, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	expectCondition(t, w.a, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	expectCondition(t, w.source, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)

	// Settle: no write for a while.
	var before map[string]int
	eventually(t, "writes settle", func() error {
		b := namespaceWrites(w.ns)
		time.Sleep(500 * time.Millisecond)
		before = namespaceWrites(w.ns)
		if !maps.Equal(b, before) {
			return fmt.Errorf("still writing")
		}
		return nil
	})
	rvBefore := resourceVersions(t, w.ns)
	counts := map[string]float64{}
	for _, c := range []string{"supplier", "ordersource", "routingpolicy"} {
		counts[c] = reconcileCount(t, c)
	}

	// Touch what the reconcilers watch without changing anything they render: an annotation
	// on each referenced Secret (supplier, source and policy reconcile) and a label on the
	// rendered ConfigMap (policy reconciles).
	for _, name := range []string{"supplier-a-cred", "intake-hmac"} {
		s := &corev1.Secret{}
		if err := k8sClient.Get(ctx, w.key(name), s); err != nil {
			t.Fatal(err)
		}
		s.Annotations = map[string]string{"touched": "yes"}
		if err := k8sClient.Update(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "idle reconciles ran", func() error {
		for c, n := range counts {
			if reconcileCount(t, c) <= n {
				return fmt.Errorf("controller %s did not reconcile", c)
			}
		}
		return nil
	})
	time.Sleep(time.Second)

	if d := cmp.Diff(before, namespaceWrites(w.ns)); d != "" {
		t.Errorf("idle reconciles wrote (-before +after):\n%s", d)
	}
	if d := cmp.Diff(rvBefore, resourceVersions(t, w.ns)); d != "" {
		t.Errorf("objects changed (-before +after):\n%s", d)
	}
}
