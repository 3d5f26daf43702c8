package controllers

import (
	"context"
	"fmt"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// Field indexes: they let a change to a referenced object find the objects that refer to
// it without listing everything.
const (
	// indexSecrets (OrderSource, Supplier, RoutingPolicy): names of the Secrets referred to.
	indexSecrets = ".spec.secretRefs"
	// indexSource (RoutingPolicy): spec.sourceRef.name.
	indexSource = ".spec.sourceRef.name"
	// indexSuppliers (RoutingPolicy): every supplier name its rules use.
	indexSuppliers = ".spec.rules.suppliers"
)

// setupIndexes registers every field index the reconcilers use.
func setupIndexes(ctx context.Context, mgr manager.Manager) error {
	idx := mgr.GetFieldIndexer()
	add := func(obj client.Object, field string, fn client.IndexerFunc) error {
		if err := idx.IndexField(ctx, obj, field, fn); err != nil {
			return fmt.Errorf("cannot index %T by %q: %w", obj, field, err)
		}
		return nil
	}
	if err := add(&dropshipv1.OrderSource{}, indexSecrets, func(o client.Object) []string {
		return secretNames(orderSourceSecrets(o.(*dropshipv1.OrderSource)))
	}); err != nil {
		return err
	}
	if err := add(&dropshipv1.Supplier{}, indexSecrets, func(o client.Object) []string {
		return secretNames(supplierSecrets(o.(*dropshipv1.Supplier)))
	}); err != nil {
		return err
	}
	if err := add(&dropshipv1.RoutingPolicy{}, indexSecrets, func(o client.Object) []string {
		return secretNames(policySecrets(o.(*dropshipv1.RoutingPolicy)))
	}); err != nil {
		return err
	}
	if err := add(&dropshipv1.RoutingPolicy{}, indexSource, func(o client.Object) []string {
		return []string{o.(*dropshipv1.RoutingPolicy).Spec.SourceRef.Name}
	}); err != nil {
		return err
	}
	return add(&dropshipv1.RoutingPolicy{}, indexSuppliers, func(o client.Object) []string {
		return policySupplierNames(o.(*dropshipv1.RoutingPolicy))
	})
}

// policySupplierNames are the suppliers a policy's rules name, sorted and unique.
func policySupplierNames(p *dropshipv1.RoutingPolicy) []string {
	var names []string
	for _, r := range p.Spec.Rules {
		for _, t := range r.Tiers {
			for _, s := range t.Suppliers {
				names = append(names, s.Name)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// referrers maps a changed object to reconcile requests for the objects of list's kind
// whose field index holds its name.
func referrers(ctx context.Context, c client.Reader, list client.ObjectList, field, namespace, name string) ([]reconcile.Request, error) {
	if err := c.List(ctx, list, client.InNamespace(namespace), client.MatchingFields{field: name}); err != nil {
		return nil, fmt.Errorf("cannot list referrers of %q by %s: %w", name, field, err)
	}
	var out []reconcile.Request
	switch l := list.(type) {
	case *dropshipv1.OrderSourceList:
		for _, o := range l.Items {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&o)})
		}
	case *dropshipv1.SupplierList:
		for _, o := range l.Items {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&o)})
		}
	case *dropshipv1.RoutingPolicyList:
		for _, o := range l.Items {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&o)})
		}
	}
	return out, nil
}
