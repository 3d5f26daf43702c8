package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

const secretValue = "s3cr3t-value"

func assertNoSecretData(t *testing.T, conds []metav1.Condition) {
	t.Helper()
	for _, c := range conds {
		if strings.Contains(c.Message, secretValue) {
			t.Errorf("condition %s holds Secret data: %q", c.Type, c.Message)
		}
	}
}

// world is a namespace with a webhook OrderSource, two suppliers (one with HMAC auth) and
// a policy over both.
type world struct {
	ns     string
	source *dropshipv1.OrderSource
	a, b   *dropshipv1.Supplier
	policy *dropshipv1.RoutingPolicy
}

func newWorld(t *testing.T) *world {
	w := &world{ns: newNamespace(t)}
	create(t, secret(w.ns, "intake-hmac", map[string]string{"hmacSecret": secretValue}))
	create(t, secret(w.ns, "supplier-a-cred", map[string]string{"hmacSecret": secretValue}))
	w.source = webhookSource(w.ns, "intake", "intake-hmac")
	w.a = httpSupplier(w.ns, "supplier-a", "supplier-a-cred")
	w.b = httpSupplier(w.ns, "supplier-b", "")
	w.policy = policy(w.ns, "main", "intake", "supplier-a", "supplier-b")
	for _, o := range []client.Object{w.source, w.a, w.b, w.policy} {
		create(t, o)
	}
	return w
}

func (w *world) key(name string) client.ObjectKey {
	return client.ObjectKey{Namespace: w.ns, Name: name}
}

// renderedConfig waits for the policy's ConfigMap and decodes the dispatcher config in it.
func (w *world) renderedConfig(t *testing.T, check func(*config.DispatcherConfig) error) *config.DispatcherConfig {
	t.Helper()
	var c *config.DispatcherConfig
	eventually(t, "rendered config", func() error {
		cm := &corev1.ConfigMap{}
		if err := k8sClient.Get(context.Background(), w.key("main-dispatcher"), cm); err != nil {
			return err
		}
		var err error
		if c, err = config.Decode([]byte(cm.Data[ConfigKey])); err != nil {
			return err
		}
		if strings.Contains(cm.Data[ConfigKey], secretValue) {
			t.Fatalf("the ConfigMap holds Secret data")
		}
		return check(c)
	})
	return c
}

func (w *world) deployment(t *testing.T) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{}
	eventually(t, "dispatcher Deployment", func() error {
		return k8sClient.Get(context.Background(), w.key("main-dispatcher"), d)
	})
	return d
}

// makeAvailable plays the Deployment controller, which envtest does not run.
func makeAvailable(t *testing.T, d *appsv1.Deployment, available bool) {
	t.Helper()
	status := corev1.ConditionFalse
	var replicas int32
	if available {
		status, replicas = corev1.ConditionTrue, 1
	}
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: d.Generation, Replicas: replicas, AvailableReplicas: replicas, ReadyReplicas: replicas,
		UpdatedReplicas: replicas,
		Conditions: []appsv1.DeploymentCondition{{
			Type: appsv1.DeploymentAvailable, Status: status, Reason: "MinimumReplicasAvailable",
			LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now(),
		}},
	}
	if err := k8sClient.Status().Update(context.Background(), d); err != nil {
		t.Fatalf("cannot set Deployment status: %v", err)
	}
}

func TestPolicyRendersWorkload(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	p := w.policy
	expectCondition(t, p, dropshipv1.SourceResolvedCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	expectCondition(t, p, dropshipv1.SuppliersResolvedCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	expectCondition(t, p, dropshipv1.DispatcherAvailableCondition, metav1.ConditionFalse, dropshipv1.DeploymentUnavailableReason)
	expectCondition(t, p, dropshipv1.ReconcilingCondition, metav1.ConditionTrue, dropshipv1.ProgressingReason)

	c := w.renderedConfig(t, func(*config.DispatcherConfig) error { return nil })
	var names []string
	for _, s := range c.Suppliers {
		names = append(names, s.Name)
	}
	if d := cmp.Diff([]string{"supplier-a", "supplier-b"}, names); d != "" {
		t.Errorf("suppliers in config (-want +got):\n%s", d)
	}
	if got := c.Suppliers[0].HTTP.Auth.SecretDir; got != "/var/run/dropship/secrets/supplier-a-cred" {
		t.Errorf("supplier-a secretDir = %q", got)
	}
	if got := c.Source.Webhook.SecretDir; got != "/var/run/dropship/secrets/intake-hmac" {
		t.Errorf("source secretDir = %q", got)
	}

	// Every rendered object exists and is controlled by the policy.
	for _, obj := range []client.Object{
		&corev1.ConfigMap{}, &corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.RoleBinding{},
		&corev1.Service{}, &appsv1.Deployment{},
	} {
		if err := k8sClient.Get(ctx, w.key("main-dispatcher"), obj); err != nil {
			t.Fatalf("%T: %v", obj, err)
		}
		assertControlledBy(t, obj, p)
	}
	pvc := &corev1.PersistentVolumeClaim{}
	if err := k8sClient.Get(ctx, w.key("main-dispatcher-data"), pvc); err != nil {
		t.Fatalf("PVC: %v", err)
	}
	assertControlledBy(t, pvc, p)

	d := w.deployment(t)
	if got := d.Spec.Template.Spec.Containers[0].Image; got != testImage {
		t.Errorf("image = %q, want the operator's default %q", got, testImage)
	}
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(p), p); err != nil {
		t.Fatal(err)
	}
	if p.Status.Dispatcher == nil || p.Status.Dispatcher.ConfigHash != d.Spec.Template.Annotations[AnnotationConfig] {
		t.Errorf("status.dispatcher = %+v, deployment hash %q", p.Status.Dispatcher, d.Spec.Template.Annotations[AnnotationConfig])
	}

	// The Deployment becomes available: the policy is Ready and no longer Reconciling.
	makeAvailable(t, d, true)
	expectCondition(t, p, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	for _, c := range []string{dropshipv1.StalledCondition, dropshipv1.ReconcilingCondition} {
		if findCondition(p.Status.Conditions, c) {
			t.Errorf("%s still present on a Ready policy", c)
		}
	}
	if p.Status.Dispatcher.AvailableReplicas != 1 {
		t.Errorf("availableReplicas = %d, want 1", p.Status.Dispatcher.AvailableReplicas)
	}
	assertNoSecretData(t, p.Status.Conditions)
}

func findCondition(conds []metav1.Condition, t string) bool {
	for _, c := range conds {
		if c.Type == t {
			return true
		}
	}
	return false
}

func assertControlledBy(t *testing.T, obj client.Object, owner *dropshipv1.RoutingPolicy) {
	t.Helper()
	refs := obj.GetOwnerReferences()
	if len(refs) != 1 || refs[0].UID != owner.UID || refs[0].Kind != "RoutingPolicy" ||
		refs[0].Controller == nil || !*refs[0].Controller || refs[0].BlockOwnerDeletion == nil || !*refs[0].BlockOwnerDeletion {
		t.Errorf("%T %s owner references = %+v, want the policy as controller", obj, obj.GetName(), refs)
	}
}

func TestPolicyRerendersOnReferenceChange(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	w.renderedConfig(t, func(*config.DispatcherConfig) error { return nil })
	hash0 := w.deployment(t).Spec.Template.Annotations[AnnotationConfig]

	// A Supplier changes: the config and the Deployment's hash follow.
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(w.b), w.b); err != nil {
		t.Fatal(err)
	}
	w.b.Spec.Endpoint.HTTP.URL = "https://b2.example/v2/orders"
	if err := k8sClient.Update(ctx, w.b); err != nil {
		t.Fatal(err)
	}
	w.renderedConfig(t, func(c *config.DispatcherConfig) error {
		if got := c.Suppliers[1].HTTP.URL; got != "https://b2.example/v2/orders" {
			return fmt.Errorf("supplier-b url = %q", got)
		}
		return nil
	})
	var hash1 string
	eventually(t, "new config hash", func() error {
		hash1 = w.deployment(t).Spec.Template.Annotations[AnnotationConfig]
		if hash1 == hash0 {
			return fmt.Errorf("hash unchanged")
		}
		return nil
	})

	// The OrderSource changes to another Secret: mounted and rendered.
	create(t, secret(w.ns, "intake-token", map[string]string{"bearerToken": secretValue}))
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(w.source), w.source); err != nil {
		t.Fatal(err)
	}
	w.source.Spec.Webhook.SecretRef.Name = "intake-token"
	if err := k8sClient.Update(ctx, w.source); err != nil {
		t.Fatal(err)
	}
	w.renderedConfig(t, func(c *config.DispatcherConfig) error {
		if got := c.Source.Webhook.SecretDir; got != SecretDir("intake-token") {
			return fmt.Errorf("source secretDir = %q", got)
		}
		return nil
	})
	eventually(t, "new secret mounted", func() error {
		for _, v := range w.deployment(t).Spec.Template.Spec.Volumes {
			if v.Secret != nil && v.Secret.SecretName == "intake-token" {
				return nil
			}
		}
		return fmt.Errorf("intake-token not mounted")
	})

	// A referenced Secret loses its key: the policy reports it and recovers when it is back.
	sec := &corev1.Secret{}
	if err := k8sClient.Get(ctx, w.key("supplier-a-cred"), sec); err != nil {
		t.Fatal(err)
	}
	delete(sec.Data, "hmacSecret")
	if err := k8sClient.Update(ctx, sec); err != nil {
		t.Fatal(err)
	}
	expectCondition(t, w.policy, dropshipv1.SuppliersResolvedCondition, metav1.ConditionFalse, dropshipv1.SupplierNotReadyReason)
	sec.Data = map[string][]byte{"hmacSecret": []byte(secretValue)}
	if err := k8sClient.Update(ctx, sec); err != nil {
		t.Fatal(err)
	}
	expectCondition(t, w.policy, dropshipv1.SuppliersResolvedCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
}

func TestPolicyMissingReferencesRecover(t *testing.T) {
	needEnvtest(t)
	ns := newNamespace(t)
	p := policy(ns, "main", "intake", "supplier-a", "supplier-b")
	create(t, p)
	expectCondition(t, p, dropshipv1.SourceResolvedCondition, metav1.ConditionFalse, dropshipv1.SourceNotFoundReason)
	expectCondition(t, p, dropshipv1.SuppliersResolvedCondition, metav1.ConditionFalse, dropshipv1.SupplierNotFoundReason)
	expectCondition(t, p, dropshipv1.StalledCondition, metav1.ConditionTrue, dropshipv1.SourceNotFoundReason)
	if got := findConditionMessage(p.Status.Conditions, dropshipv1.SuppliersResolvedCondition); got != `Suppliers "supplier-a", "supplier-b" not found` {
		t.Errorf("SuppliersResolved message = %q", got)
	}
	if p.Status.ObservedGeneration != p.Generation {
		t.Errorf("a missing reference is not a failed reconcile: observedGeneration = %d, want %d", p.Status.ObservedGeneration, p.Generation)
	}
	if err := k8sClient.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "main-dispatcher"}, &appsv1.Deployment{}); err == nil {
		t.Error("a Deployment was rendered while references are missing")
	}

	create(t, secret(ns, "intake-hmac", map[string]string{"hmacSecret": secretValue}))
	create(t, webhookSource(ns, "intake", "intake-hmac"))
	expectCondition(t, p, dropshipv1.SourceResolvedCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	create(t, httpSupplier(ns, "supplier-a", ""))
	expectCondition(t, p, dropshipv1.SuppliersResolvedCondition, metav1.ConditionFalse, dropshipv1.SupplierNotFoundReason)
	create(t, httpSupplier(ns, "supplier-b", ""))
	expectCondition(t, p, dropshipv1.SuppliersResolvedCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	expectCondition(t, p, dropshipv1.DispatcherAvailableCondition, metav1.ConditionFalse, dropshipv1.DeploymentUnavailableReason)
}

func findConditionMessage(conds []metav1.Condition, t string) string {
	for _, c := range conds {
		if c.Type == t {
			return c.Message
		}
	}
	return ""
}

func TestPolicySuspend(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	d := w.deployment(t)
	makeAvailable(t, d, true)
	expectCondition(t, w.policy, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)

	w.policy.Spec.Suspend = true
	if err := k8sClient.Update(ctx, w.policy); err != nil {
		t.Fatal(err)
	}
	expectCondition(t, w.policy, dropshipv1.ReadyCondition, metav1.ConditionFalse, dropshipv1.SuspendedReason)
	expectCondition(t, w.policy, dropshipv1.DispatcherAvailableCondition, metav1.ConditionFalse, dropshipv1.SuspendedReason)
	eventually(t, "scaled to zero", func() error {
		d = w.deployment(t)
		if *d.Spec.Replicas != 0 {
			return fmt.Errorf("replicas = %d", *d.Spec.Replicas)
		}
		return nil
	})

	// While suspended, a supplier change is not rendered.
	cm := &corev1.ConfigMap{}
	if err := k8sClient.Get(ctx, w.key("main-dispatcher"), cm); err != nil {
		t.Fatal(err)
	}
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(w.b), w.b); err != nil {
		t.Fatal(err)
	}
	w.b.Spec.Regions = []string{"广东省"}
	if err := k8sClient.Update(ctx, w.b); err != nil {
		t.Fatal(err)
	}

	// Resume: the change is rendered and the dispatcher scaled back.
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(w.policy), w.policy); err != nil {
		t.Fatal(err)
	}
	if err := k8sClient.Get(ctx, w.key("main-dispatcher"), cm); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cm.Data[ConfigKey], "广东省") {
		t.Error("a suspended policy re-rendered its config")
	}
	w.policy.Spec.Suspend = false
	if err := k8sClient.Update(ctx, w.policy); err != nil {
		t.Fatal(err)
	}
	eventually(t, "scaled back", func() error {
		d = w.deployment(t)
		if *d.Spec.Replicas != 1 {
			return fmt.Errorf("replicas = %d", *d.Spec.Replicas)
		}
		return nil
	})
	w.renderedConfig(t, func(c *config.DispatcherConfig) error {
		if c.Suppliers[1].Regions[0] != "广东省" {
			return fmt.Errorf("regions = %v", c.Suppliers[1].Regions)
		}
		return nil
	})
}

// TestStatusKeepsDispatcherFields: the dispatcher writes health and throughput with its own
// field manager; the operator's status patches leave them alone.
func TestStatusKeepsDispatcherFields(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	expectCondition(t, w.policy, dropshipv1.SourceResolvedCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	expectCondition(t, w.a, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)

	applyDispatcherStatus(t, w.ns, "Supplier", w.a.Name, map[string]any{
		"health": map[string]any{"state": "Active", "ordersToday": int64(42)},
	})
	applyDispatcherStatus(t, w.ns, "RoutingPolicy", w.policy.Name, map[string]any{
		"throughput": map[string]any{"received": int64(7), "dispatched": int64(6), "recorded": int64(5),
			"shipped": int64(4), "deadLettered": int64(0), "backlog": int64(1)},
		"dispatcher": map[string]any{"lastHeartbeatTime": time.Now().UTC().Format(time.RFC3339)},
	})

	// Change conditions on both: delete the supplier's Secret.
	if err := k8sClient.Delete(ctx, secret(w.ns, "supplier-a-cred", nil)); err != nil {
		t.Fatal(err)
	}
	expectCondition(t, w.a, dropshipv1.ReadyCondition, metav1.ConditionFalse, dropshipv1.SecretNotFoundReason)
	expectCondition(t, w.policy, dropshipv1.SuppliersResolvedCondition, metav1.ConditionFalse, dropshipv1.SupplierNotReadyReason)
	if w.a.Status.Health == nil || w.a.Status.Health.OrdersToday != 42 {
		t.Errorf("the operator wiped Supplier.status.health: %+v", w.a.Status.Health)
	}
	if w.policy.Status.Throughput == nil || w.policy.Status.Throughput.Received != 7 {
		t.Errorf("the operator wiped RoutingPolicy.status.throughput: %+v", w.policy.Status.Throughput)
	}
	if w.policy.Status.Dispatcher == nil || w.policy.Status.Dispatcher.LastHeartbeatTime == nil || w.policy.Status.Dispatcher.ConfigHash == "" {
		t.Errorf("status.dispatcher lost a field: %+v", w.policy.Status.Dispatcher)
	}
}

func applyDispatcherStatus(t *testing.T, ns, kind, name string, status map[string]any) {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{"status": status}}
	u.SetGroupVersionKind(dropshipv1.GroupVersion.WithKind(kind))
	u.SetNamespace(ns)
	u.SetName(name)
	if err := k8sClient.Status().Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner("dropship-dispatcher"), client.ForceOwnership); err != nil {
		t.Fatalf("cannot apply %s status as the dispatcher: %v", kind, err)
	}
}
