package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// readyInputs decide Ready: a suspended object is not Ready; a spec that passed admission
// but cannot be rendered is False/InvalidSpec (terminal: Stalled until the spec changes);
// a transient reconcile error makes it Unknown; otherwise the first of Deps that is not True gives Ready its status,
// reason and message, and when every one is True Ready is True with OKMessage.
type readyInputs struct {
	Suspended bool
	// Invalid says why the spec cannot be rendered; empty when it can.
	Invalid   string
	Err       error
	Deps      []string
	OKMessage string
}

func setReady(conds *[]metav1.Condition, gen int64, in readyInputs) {
	const t = dropshipv1.ReadyCondition
	if in.Suspended {
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SuspendedReason, "reconciliation is suspended")
		return
	}
	if in.Invalid != "" {
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.InvalidSpecReason, in.Invalid)
		return
	}
	for _, d := range in.Deps {
		c := meta.FindStatusCondition(*conds, d)
		if c == nil {
			setCondition(conds, gen, t, metav1.ConditionUnknown, dropshipv1.ProgressingReason, d+" is not known yet")
			return
		}
		if c.Status != metav1.ConditionTrue {
			status := metav1.ConditionFalse
			if c.Status == metav1.ConditionUnknown {
				status = metav1.ConditionUnknown
			}
			setCondition(conds, gen, t, status, c.Reason, c.Message)
			return
		}
	}
	if in.Err != nil {
		setCondition(conds, gen, t, metav1.ConditionUnknown, dropshipv1.ReconcileFailedReason,
			"the last reconcile failed and is retried")
		return
	}
	setCondition(conds, gen, t, metav1.ConditionTrue, dropshipv1.SucceededReason, in.OKMessage)
}
