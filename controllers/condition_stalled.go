package controllers

import (
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// setStalled is kstatus Stalled: present and True only while Ready is False for a reason
// that needs a change to the spec or to a referenced object; removed otherwise.
func setStalled(conds *[]metav1.Condition, gen int64) {
	ready := meta.FindStatusCondition(*conds, dropshipv1.ReadyCondition)
	if ready != nil && ready.Status == metav1.ConditionFalse && slices.Contains(stalledReasons, ready.Reason) {
		setCondition(conds, gen, dropshipv1.StalledCondition, metav1.ConditionTrue, ready.Reason, ready.Message)
		return
	}
	meta.RemoveStatusCondition(conds, dropshipv1.StalledCondition)
}
