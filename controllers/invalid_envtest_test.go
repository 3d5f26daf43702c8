package controllers

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// TestPolicyWithUnrenderableSpecStalls: a spec that passes admission but renders a config
// the dispatcher would refuse (an unknown time zone) is never rolled out; the policy says
// why and is Stalled, not retried in a loop.
func TestPolicyWithUnrenderableSpecStalls(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	ns := newNamespace(t)
	create(t, secret(ns, "intake-hmac", map[string]string{"hmacSecret": secretValue}))
	create(t, webhookSource(ns, "intake", "intake-hmac"))
	sup := httpSupplier(ns, "supplier-a", "")
	sup.Spec.Capacity.Timezone = "Mars/Olympus_Mons"
	if err := k8sClient.Create(ctx, sup); err != nil {
		t.Skipf("admission already refuses the time zone: %v", err)
	}
	p := policy(ns, "main", "intake", "supplier-a")
	create(t, p)
	expectCondition(t, p, dropshipv1.ReadyCondition, metav1.ConditionFalse, dropshipv1.InvalidSpecReason)
	expectCondition(t, p, dropshipv1.StalledCondition, metav1.ConditionTrue, dropshipv1.InvalidSpecReason)
	if msg := meta.FindStatusCondition(p.Status.Conditions, dropshipv1.ReadyCondition).Message; !strings.Contains(msg, "capacity.timezone") {
		t.Errorf("Ready message %q does not name the field", msg)
	}
	if err := k8sClient.Get(ctx, (&world{ns: ns}).key("main-dispatcher"), &appsv1.Deployment{}); err == nil {
		t.Error("a Deployment was rolled out with a config the dispatcher refuses")
	}
}
