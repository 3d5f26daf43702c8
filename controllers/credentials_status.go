package controllers

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// credentialsScope is one reconcile of an OrderSource or a Supplier: both only resolve
// the Secrets they refer to.
type credentialsScope struct {
	obj        client.Object
	conditions []metav1.Condition
	generation int64
	observed   int64
	suspended  bool
	refs       []secretRef
	creds      credentials
	resolved   bool
}

// computeCredentialsStatus is the status of an OrderSource or Supplier after a reconcile
// that returned err.
func computeCredentialsStatus(s *credentialsScope, okMessage string, err error) ownedStatus {
	conds := slices.Clone(s.conditions)
	gen := s.generation
	if s.resolved {
		setCredentialsResolved(&conds, gen, s.creds)
	}
	setReady(&conds, gen, readyInputs{
		Suspended: s.suspended, Err: err,
		Deps:      []string{dropshipv1.CredentialsResolvedCondition},
		OKMessage: okMessage,
	})
	setStalled(&conds, gen)
	setReconciling(&conds, gen)
	out := ownedStatus{ObservedGeneration: s.observed, Conditions: ownedConditions(conds, credentialsOwnedConditions)}
	if err == nil {
		out.ObservedGeneration = gen
	}
	return out
}

// finishCredentials computes and patches the status once, and records an Event when
// Ready changed.
func finishCredentials(ctx context.Context, p *statusPatcher, rec events.EventRecorder, s *credentialsScope, okMessage string, err error) error {
	after := computeCredentialsStatus(s, okMessage, err)
	wrote, perr := p.patch(ctx, s.obj, after)
	if perr != nil {
		return perr
	}
	if wrote {
		recordReadyChange(rec, s.obj, s.conditions, after.Conditions)
		logReadyChange(ctrl.LoggerFrom(ctx), s.conditions, after.Conditions)
	}
	return err
}

// resolveCredentials is the one phase of an OrderSource or Supplier reconcile.
func resolveCredentials(ctx context.Context, r client.Reader, s *credentialsScope) error {
	s.creds = resolveSecrets(ctx, r, s.obj.GetNamespace(), s.refs)
	s.resolved = true
	return s.creds.Err
}
