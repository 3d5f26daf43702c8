package controllers

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// dispatcherFacts is what the operator knows of a policy's dispatcher Deployment.
type dispatcherFacts struct {
	Suspended bool
	// Name of the Deployment.
	Name string
	// Deployment as last seen; nil when it does not exist.
	Deployment *appsv1.Deployment
}

// setDispatcherAvailable mirrors the Deployment's Available condition. A Deployment not
// yet in the cache and one without status read the same, so a new policy's status is not
// rewritten between the two.
func setDispatcherAvailable(conds *[]metav1.Condition, gen int64, f dispatcherFacts) {
	const t = dropshipv1.DispatcherAvailableCondition
	if f.Suspended {
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SuspendedReason,
			"the dispatcher is scaled to zero while the policy is suspended")
		return
	}
	if f.Deployment == nil {
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.DeploymentUnavailableReason,
			fmt.Sprintf("Deployment %q is not available yet", f.Name))
		return
	}
	for _, c := range f.Deployment.Status.Conditions {
		if c.Type != appsv1.DeploymentAvailable {
			continue
		}
		if c.Status == corev1.ConditionTrue {
			setCondition(conds, gen, t, metav1.ConditionTrue, dropshipv1.SucceededReason,
				fmt.Sprintf("Deployment %q is available", f.Name))
			return
		}
		msg := fmt.Sprintf("Deployment %q is not available", f.Name)
		if c.Message != "" {
			msg += ": " + c.Message
		}
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.DeploymentUnavailableReason, msg)
		return
	}
	setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.DeploymentUnavailableReason,
		fmt.Sprintf("Deployment %q is not available yet", f.Name))
}
