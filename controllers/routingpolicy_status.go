package controllers

import (
	"slices"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// policyOwnedStatus is the operator's part of a policy's status as read.
func policyOwnedStatus(p *dropshipv1.RoutingPolicy) ownedStatus {
	out := ownedStatus{
		ObservedGeneration: p.Status.ObservedGeneration,
		Conditions:         ownedConditions(p.Status.Conditions, policyOwnedConditions),
	}
	if d := p.Status.Dispatcher; d != nil && (d.Deployment != "" || d.ConfigHash != "" || d.AvailableReplicas != 0) {
		out.Dispatcher = &ownedDispatcherStatus{Deployment: d.Deployment, ConfigHash: d.ConfigHash, AvailableReplicas: d.AvailableReplicas}
	}
	return out
}

// computePolicyStatus is the policy's status after a reconcile that returned err: every
// condition the reconcile could evaluate, Ready from them, kstatus, and the dispatcher
// summary. observedGeneration moves only when the reconcile succeeded.
func computePolicyStatus(s *policyScope, err error) ownedStatus {
	p := s.policy
	conds := slices.Clone(p.Status.Conditions)
	gen := p.Generation
	if s.sourceResolved {
		setSourceResolved(&conds, gen, s.sourceFacts)
	}
	if s.suppliersResolved {
		setSuppliersResolved(&conds, gen, s.supplierFacts)
	}
	if s.observed {
		setDispatcherAvailable(&conds, gen, s.dispatcher)
		setHeartbeat(&conds, p.Status.Conditions, gen, s.heartbeat)
	}
	setReady(&conds, gen, readyInputs{
		Suspended: p.Spec.Suspend, Err: err, Invalid: s.invalid,
		Deps: []string{
			dropshipv1.SourceResolvedCondition, dropshipv1.SuppliersResolvedCondition,
			dropshipv1.DispatcherAvailableCondition,
		},
		OKMessage: "the dispatcher runs the current policy",
	})
	setStalled(&conds, gen)
	setReconciling(&conds, gen)
	out := ownedStatus{ObservedGeneration: p.Status.ObservedGeneration, Conditions: ownedConditions(conds, policyOwnedConditions)}
	if err == nil {
		out.ObservedGeneration = gen
	}
	d := &ownedDispatcherStatus{ConfigHash: s.configHash}
	if dep := s.dispatcher.Deployment; dep != nil {
		d.Deployment = dep.Name
		d.AvailableReplicas = dep.Status.AvailableReplicas
	}
	if d.Deployment != "" || d.ConfigHash != "" {
		out.Dispatcher = d
	}
	return out
}
