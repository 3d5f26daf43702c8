package controllers

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// sourceFacts is what resolving a policy's spec.sourceRef found.
type sourceFacts struct {
	Name  string
	Found bool
	// Err is set when the OrderSource could not be read (transient).
	Err         error
	Credentials credentials
}

func setSourceResolved(conds *[]metav1.Condition, gen int64, f sourceFacts) {
	const t = dropshipv1.SourceResolvedCondition
	switch {
	case f.Err != nil || f.Credentials.Err != nil:
		setCondition(conds, gen, t, metav1.ConditionUnknown, dropshipv1.ReconcileFailedReason,
			fmt.Sprintf("cannot read OrderSource %q or its Secrets; retrying", f.Name))
	case !f.Found:
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SourceNotFoundReason,
			fmt.Sprintf("OrderSource %q not found", f.Name))
	case len(f.Credentials.Missing) > 0:
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SourceNotReadyReason,
			fmt.Sprintf("OrderSource %q: %s", f.Name, secretsNotFoundMessage(f.Credentials.Missing)))
	case len(f.Credentials.MissingKeys) > 0:
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SourceNotReadyReason,
			fmt.Sprintf("OrderSource %q: %s", f.Name, secretKeysMissingMessage(f.Credentials.MissingKeys)))
	default:
		setCondition(conds, gen, t, metav1.ConditionTrue, dropshipv1.SucceededReason,
			fmt.Sprintf("OrderSource %q resolved", f.Name))
	}
}
