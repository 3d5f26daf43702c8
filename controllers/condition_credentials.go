package controllers

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// setCredentialsResolved reports whether every referenced Secret exists and holds the keys
// its auth mode needs. Messages name Secrets and keys, never values.
func setCredentialsResolved(conds *[]metav1.Condition, gen int64, c credentials) {
	const t = dropshipv1.CredentialsResolvedCondition
	switch {
	case c.Err != nil:
		setCondition(conds, gen, t, metav1.ConditionUnknown, dropshipv1.ReconcileFailedReason,
			"cannot read the referenced Secrets; retrying")
	case len(c.Missing) > 0:
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SecretNotFoundReason,
			secretsNotFoundMessage(c.Missing))
	case len(c.MissingKeys) > 0:
		setCondition(conds, gen, t, metav1.ConditionFalse, dropshipv1.SecretKeyMissingReason,
			secretKeysMissingMessage(c.MissingKeys))
	case c.Refs == 0:
		setCondition(conds, gen, t, metav1.ConditionTrue, dropshipv1.SucceededReason,
			"no credentials are needed")
	default:
		setCondition(conds, gen, t, metav1.ConditionTrue, dropshipv1.SucceededReason,
			"every referenced Secret holds the keys its auth mode needs")
	}
}

func secretsNotFoundMessage(names []string) string {
	if len(names) == 1 {
		return fmt.Sprintf("Secret %q not found", names[0])
	}
	return fmt.Sprintf("Secrets %s not found", quoteJoin(names))
}

func secretKeysMissingMessage(m map[string][]string) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("Secret %q lacks key %s", n, quoteJoin(m[n])))
	}
	return strings.Join(parts, "; ")
}

func quoteJoin(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
