package controllers

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// suppliersFacts is what resolving every Supplier a policy's rules name found.
type suppliersFacts struct {
	// Names are the referenced suppliers, sorted and unique.
	Names []string
	// Missing are referenced suppliers that do not exist, sorted.
	Missing []string
	// Credentials of each supplier found.
	Credentials map[string]credentials
	// MissingConfigMaps maps a supplier to the problem with a ConfigMap it refers to
	// (request template or catalog SKU map), with the reason to report.
	MissingConfigMaps map[string]configMapProblem
	// Err is set when the suppliers could not be read (transient).
	Err error
}

type configMapProblem struct {
	Reason  string
	Message string
}

func setSuppliersResolved(conds *[]metav1.Condition, gen int64, f suppliersFacts) {
	const t = dropshipv1.SuppliersResolvedCondition
	if f.Err != nil {
		setCondition(conds, gen, t, metav1.ConditionUnknown, dropshipv1.ReconcileFailedReason,
			"cannot read the referenced Suppliers; retrying")
		return
	}
	if len(f.Missing) == 1 {
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SupplierNotFoundReason,
			fmt.Sprintf("Supplier %q not found", f.Missing[0]))
		return
	}
	if len(f.Missing) > 1 {
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SupplierNotFoundReason,
			fmt.Sprintf("Suppliers %s not found", quoteJoin(f.Missing)))
		return
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range f.Credentials {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		c := f.Credentials[n]
		switch {
		case c.Err != nil:
			setCondition(conds, gen, t, metav1.ConditionUnknown, dropshipv1.ReconcileFailedReason,
				fmt.Sprintf("cannot read the Secrets of Supplier %q; retrying", n))
			return
		case len(c.Missing) > 0:
			setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SupplierNotReadyReason,
				fmt.Sprintf("Supplier %q: %s", n, secretsNotFoundMessage(c.Missing)))
			return
		case len(c.MissingKeys) > 0:
			setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SupplierNotReadyReason,
				fmt.Sprintf("Supplier %q: %s", n, secretKeysMissingMessage(c.MissingKeys)))
			return
		}
	}
	for _, n := range f.Names {
		if p, ok := f.MissingConfigMaps[n]; ok {
			setCondition(conds, gen, t, metav1.ConditionFalse, p.Reason, fmt.Sprintf("Supplier %q: %s", n, p.Message))
			return
		}
	}
	setCondition(conds, gen, t, metav1.ConditionTrue, dropshipv1.SucceededReason,
		fmt.Sprintf("%d suppliers resolved", len(f.Names)))
}
