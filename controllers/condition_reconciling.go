package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// setReconciling is kstatus Reconciling: present and True while the operator still works
// towards Ready (waiting for a Deployment, retrying an error); removed when the object is
// Ready, suspended or Stalled. Call it after setReady and setStalled.
func setReconciling(conds *[]metav1.Condition, gen int64) {
	const t = dropshipv1.ReconcilingCondition
	ready := meta.FindStatusCondition(*conds, dropshipv1.ReadyCondition)
	stalled := meta.IsStatusConditionTrue(*conds, dropshipv1.StalledCondition)
	if ready == nil || ready.Status == metav1.ConditionTrue || ready.Reason == dropshipv1.SuspendedReason || stalled {
		meta.RemoveStatusCondition(conds, t)
		return
	}
	reason := dropshipv1.ProgressingReason
	if ready.Reason == dropshipv1.ReconcileFailedReason {
		reason = ready.Reason
	}
	setCondition(conds, gen, t, metav1.ConditionTrue, reason, ready.Message)
}
