package controllers

import (
	"context"
	"errors"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// configMapRecheck is how soon a policy whose Supplier names a missing ConfigMap looks
// again: the operator does not watch ConfigMaps it does not own.
const configMapRecheck = time.Minute

// RoutingPolicyReconciler turns a RoutingPolicy, its OrderSource and its Suppliers into a
// running dispatcher: ConfigMap, ServiceAccount, Role, RoleBinding, Deployment, Service
// and, for the SQLite store, a PersistentVolumeClaim.
type RoutingPolicyReconciler struct {
	Client client.Client
	// APIReader reads Secrets and referenced ConfigMaps uncached.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Recorder  events.EventRecorder
	// DispatcherImage runs the dispatcher unless a policy names another image.
	DispatcherImage string
	// ReportingInterval is how often dispatchers report status; their Lease must have been
	// renewed within 3 intervals (DefaultReportingInterval when 0).
	ReportingInterval time.Duration
}

// +kubebuilder:rbac:groups=dropship.dev,resources=routingpolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups=dropship.dev,resources=routingpolicies/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=dropship.dev,resources=ordersources;suppliers,verbs=get;list;watch
// +kubebuilder:rbac:groups=dropship.dev,resources=ordersources/status;suppliers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups="",resources=configmaps;services;serviceaccounts;persistentvolumeclaims,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete

// Reconcile renders and applies one policy's dispatcher.
func (r *RoutingPolicyReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, retErr error) {
	p := &dropshipv1.RoutingPolicy{}
	if err := r.Client.Get(ctx, req.NamespacedName, p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = ctrl.LoggerInto(ctx, ctrl.LoggerFrom(ctx).WithValues("policy", req.Name))
	patcher := newStatusPatcher(r.Client, dropshipv1.GroupVersion.WithKind(dropshipv1.RoutingPolicyKind), policyOwnedStatus(p))
	s := &policyScope{policy: p, dispatcher: dispatcherFacts{Name: dispatcherResourceName(p.Name)}}
	if p.Status.Dispatcher != nil {
		s.configHash = p.Status.Dispatcher.ConfigHash
	}
	defer func() {
		after := computePolicyStatus(s, retErr)
		wrote, err := patcher.patch(ctx, p, after)
		if err != nil {
			retErr = errors.Join(retErr, err)
			return
		}
		if wrote {
			recordReadyChange(r.Recorder, p, p.Status.Conditions, after.Conditions)
			logReadyChange(ctrl.LoggerFrom(ctx), p.Status.Conditions, after.Conditions)
		}
	}()
	if p.Spec.Suspend {
		return ctrl.Result{}, r.suspend(ctx, s)
	}
	var result ctrl.Result
	for _, phase := range []func(context.Context, *policyScope) (ctrl.Result, error){
		r.resolveSource, r.resolveSuppliers, r.applyWorkload, r.observeDispatcher, r.observeHeartbeat,
	} {
		res, err := phase(ctx, s)
		if err != nil {
			return ctrl.Result{}, err
		}
		if res.RequeueAfter > 0 && (result.RequeueAfter == 0 || res.RequeueAfter < result.RequeueAfter) {
			result.RequeueAfter = res.RequeueAfter
		}
	}
	return result, nil
}

// SetupWithManager watches policies, what they own, and — through field indexes — the
// OrderSources, Suppliers and Secrets they refer to.
func (r *RoutingPolicyReconciler) SetupWithManager(mgr ctrl.Manager) error {
	specChanged := builder.WithPredicates(predicate.GenerationChangedPredicate{})
	return ctrl.NewControllerManagedBy(mgr).
		Named("routingpolicy").
		For(&dropshipv1.RoutingPolicy{}, specChanged).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ServiceAccount{}).
		Owns(&corev1.PersistentVolumeClaim{}).
		Owns(&rbacv1.Role{}).
		Owns(&rbacv1.RoleBinding{}).
		Watches(&dropshipv1.OrderSource{}, handler.EnqueueRequestsFromMapFunc(r.policiesOf(indexSource)), specChanged).
		Watches(&dropshipv1.Supplier{}, handler.EnqueueRequestsFromMapFunc(r.policiesOf(indexSuppliers)), specChanged).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.policiesOfSecret)).
		Complete(r)
}

// policiesOf maps an OrderSource or Supplier to the policies whose index field names it.
func (r *RoutingPolicyReconciler) policiesOf(field string) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		reqs, err := referrers(ctx, r.Client, &dropshipv1.RoutingPolicyList{}, field, o.GetNamespace(), o.GetName())
		if err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "cannot map to RoutingPolicies", "object", o.GetName())
		}
		return reqs
	}
}

// policiesOfSecret maps a Secret to the policies that use it: directly (the Postgres DSN),
// or through the OrderSource or a Supplier that refers to it.
func (r *RoutingPolicyReconciler) policiesOfSecret(ctx context.Context, o client.Object) []reconcile.Request {
	ns, name := o.GetNamespace(), o.GetName()
	log := ctrl.LoggerFrom(ctx).WithValues("secret", name)
	seen := map[reconcile.Request]bool{}
	var out []reconcile.Request
	add := func(reqs []reconcile.Request, err error) {
		if err != nil {
			log.Error(err, "cannot map Secret to RoutingPolicies")
		}
		for _, q := range reqs {
			if !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	add(referrers(ctx, r.Client, &dropshipv1.RoutingPolicyList{}, indexSecrets, ns, name))
	via := func(list client.ObjectList, field string) {
		refs, err := referrers(ctx, r.Client, list, indexSecrets, ns, name)
		add(nil, err)
		for _, ref := range refs {
			add(referrers(ctx, r.Client, &dropshipv1.RoutingPolicyList{}, field, ns, ref.Name))
		}
	}
	via(&dropshipv1.SupplierList{}, indexSuppliers)
	via(&dropshipv1.OrderSourceList{}, indexSource)
	return out
}
