package controllers

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// SupplierReconciler checks that the Secrets a Supplier refers to exist and hold the keys
// its auth needs, and reports it in CredentialsResolved and Ready.
type SupplierReconciler struct {
	Client client.Client
	// APIReader reads Secrets uncached: Secret data is never kept in the operator's cache.
	APIReader client.Reader
	Recorder  events.EventRecorder
}

// +kubebuilder:rbac:groups=dropship.dev,resources=suppliers,verbs=get;list;watch
// +kubebuilder:rbac:groups=dropship.dev,resources=suppliers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile resolves one Supplier's credentials.
func (r *SupplierReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, retErr error) {
	s := &dropshipv1.Supplier{}
	if err := r.Client.Get(ctx, req.NamespacedName, s); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = ctrl.LoggerInto(ctx, ctrl.LoggerFrom(ctx).WithValues("supplier", req.Name))
	patcher := newStatusPatcher(r.Client, dropshipv1.GroupVersion.WithKind(dropshipv1.SupplierKind), ownedStatus{
		ObservedGeneration: s.Status.ObservedGeneration,
		Conditions:         ownedConditions(s.Status.Conditions, credentialsOwnedConditions),
	})
	scope := &credentialsScope{
		obj: s, conditions: s.Status.Conditions, generation: s.Generation,
		observed: s.Status.ObservedGeneration, suspended: s.Spec.Suspend, refs: supplierSecrets(s),
	}
	defer func() {
		retErr = finishCredentials(ctx, patcher, r.Recorder, scope, "the supplier's credentials are resolved", retErr)
	}()
	if s.Spec.Suspend {
		return ctrl.Result{}, nil
	}
	return ctrl.Result{}, resolveCredentials(ctx, r.APIReader, scope)
}

// SetupWithManager watches Suppliers and, through the secrets index, the Secrets they use.
func (r *SupplierReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("supplier").
		For(&dropshipv1.Supplier{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			reqs, err := referrers(ctx, r.Client, &dropshipv1.SupplierList{}, indexSecrets, o.GetNamespace(), o.GetName())
			if err != nil {
				ctrl.LoggerFrom(ctx).Error(err, "cannot map Secret to Suppliers", "secret", o.GetName())
			}
			return reqs
		})).
		Complete(r)
}
