package controllers

import (
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// Condition types each reconciler owns. Other conditions on the same objects (Healthy,
// Degraded) belong to the dispatchers and are never written by the operator.
var (
	credentialsOwnedConditions = []string{
		dropshipv1.ReadyCondition, dropshipv1.CredentialsResolvedCondition,
		dropshipv1.ReconcilingCondition, dropshipv1.StalledCondition,
	}
	policyOwnedConditions = []string{
		dropshipv1.ReadyCondition, dropshipv1.SourceResolvedCondition,
		dropshipv1.SuppliersResolvedCondition, dropshipv1.DispatcherAvailableCondition,
		dropshipv1.ReconcilingCondition, dropshipv1.StalledCondition,
	}
)

// stalledReasons are the reasons that need a change to the spec or to a referenced object
// before reconciliation can progress: kstatus Stalled.
var stalledReasons = []string{
	dropshipv1.SecretNotFoundReason, dropshipv1.SecretKeyMissingReason,
	dropshipv1.ConfigMapNotFoundReason, dropshipv1.ConfigMapKeyMissingReason,
	dropshipv1.SourceNotFoundReason, dropshipv1.SourceNotReadyReason,
	dropshipv1.SupplierNotFoundReason, dropshipv1.SupplierNotReadyReason,
	dropshipv1.InvalidSpecReason,
}

// setCondition sets one condition; lastTransitionTime only moves when the status changes.
func setCondition(conds *[]metav1.Condition, gen int64, typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(conds, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: gen,
	})
}

// ownedConditions is the subset of conds of the given types, in a stable order.
func ownedConditions(conds []metav1.Condition, types []string) []metav1.Condition {
	var out []metav1.Condition
	for _, c := range conds {
		if slices.Contains(types, c.Type) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b metav1.Condition) int {
		switch {
		case a.Type < b.Type:
			return -1
		case a.Type > b.Type:
			return 1
		}
		return 0
	})
	return out
}
