package controllers

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Options configure the reconcilers.
type Options struct {
	// DispatcherImage runs the dispatchers unless a policy names another image.
	DispatcherImage string
	// ReportingInterval is how often dispatchers report status (DefaultReportingInterval
	// when 0).
	ReportingInterval time.Duration
}

// CacheOptions limit the manager's cache of the kinds the operator renders to the objects
// it manages, so memory stays flat however many ConfigMaps or Deployments a cluster has.
// Secrets are only watched as metadata and read uncached when needed.
func CacheOptions(namespace string) cache.Options {
	managed := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{LabelManagedBy: managerName})}
	opts := cache.Options{ByObject: map[client.Object]cache.ByObject{
		&appsv1.Deployment{}:            managed,
		&corev1.ConfigMap{}:             managed,
		&corev1.Service{}:               managed,
		&corev1.ServiceAccount{}:        managed,
		&corev1.PersistentVolumeClaim{}: managed,
		&rbacv1.Role{}:                  managed,
		&rbacv1.RoleBinding{}:           managed,
	}}
	if namespace != "" {
		opts.DefaultNamespaces = map[string]cache.Config{namespace: {}}
	}
	return opts
}

// The metrics endpoint authenticates and authorizes its scrapers.
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

// Setup registers the field indexes and the three reconcilers with the manager.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	if err := setupIndexes(ctx, mgr); err != nil {
		return err
	}
	rec := mgr.GetEventRecorder(managerName)
	if err := (&OrderSourceReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Recorder: rec}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("cannot set up the OrderSource controller: %w", err)
	}
	if err := (&SupplierReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Recorder: rec}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("cannot set up the Supplier controller: %w", err)
	}
	if err := (&RoutingPolicyReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: mgr.GetScheme(), Recorder: rec,
		DispatcherImage: opts.DispatcherImage, ReportingInterval: opts.ReportingInterval,
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("cannot set up the RoutingPolicy controller: %w", err)
	}
	return nil
}
