/*
Copyright 2026 The dropship-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Condition types. Every kind has Ready plus the kstatus pair Reconciling/Stalled; the
// others belong to one or two kinds, as noted.
const (
	// ReadyCondition is True when the object is fully reconciled and usable.
	ReadyCondition = "Ready"
	// ReconcilingCondition is True while the operator is working towards the desired state
	// (kstatus "abnormal-true": present only while it is True).
	ReconcilingCondition = "Reconciling"
	// StalledCondition is True when reconciliation cannot progress without a change to the
	// spec or to a referenced object (kstatus "abnormal-true").
	StalledCondition = "Stalled"
	// CredentialsResolvedCondition (OrderSource, Supplier) is True when every referenced
	// Secret exists and holds the keys its auth mode needs.
	CredentialsResolvedCondition = "CredentialsResolved"
	// HealthyCondition (Supplier) reflects the health the dispatchers report: True while the
	// supplier takes traffic normally, False when ejected, throttled, slow or failing,
	// Unknown while too few requests were seen.
	HealthyCondition = "Healthy"
	// SourceResolvedCondition (RoutingPolicy) is True when spec.sourceRef names an existing,
	// ready OrderSource.
	SourceResolvedCondition = "SourceResolved"
	// SuppliersResolvedCondition (RoutingPolicy) is True when every supplier named by a rule
	// exists and has its credentials resolved.
	SuppliersResolvedCondition = "SuppliersResolved"
	// DispatcherAvailableCondition (RoutingPolicy) mirrors the dispatcher Deployment's
	// Available condition.
	DispatcherAvailableCondition = "DispatcherAvailable"
	// DegradedCondition (RoutingPolicy), written by the dispatcher, is True when the policy
	// runs but some of its suppliers are ejected or unhealthy, or lines are dead-lettered,
	// or the backlog grows.
	DegradedCondition = "Degraded"
)

// Condition reasons. Reasons are CamelCase and stable: alerts and scripts match on them.
const (
	// SucceededReason: the last reconcile succeeded (Ready=True and the like).
	SucceededReason = "Succeeded"
	// ProgressingReason: work is under way (Reconciling=True, Ready=Unknown).
	ProgressingReason = "Progressing"
	// SuspendedReason: spec.suspend is true; nothing is reconciled or dispatched.
	SuspendedReason = "Suspended"
	// SecretNotFoundReason: a referenced Secret does not exist in the namespace.
	SecretNotFoundReason = "SecretNotFound"
	// SecretKeyMissingReason: a referenced Secret lacks a key its auth mode needs.
	SecretKeyMissingReason = "SecretKeyMissing"
	// ConfigMapNotFoundReason: a referenced ConfigMap (catalog, template) does not exist.
	ConfigMapNotFoundReason = "ConfigMapNotFound"
	// ConfigMapKeyMissingReason: a referenced ConfigMap lacks the named key.
	ConfigMapKeyMissingReason = "ConfigMapKeyMissing"
	// SourceNotFoundReason: spec.sourceRef names no OrderSource in the namespace.
	SourceNotFoundReason = "SourceNotFound"
	// SourceNotReadyReason: the referenced OrderSource exists but is not Ready.
	SourceNotReadyReason = "SourceNotReady"
	// SupplierNotFoundReason: a rule names a Supplier that does not exist in the namespace.
	SupplierNotFoundReason = "SupplierNotFound"
	// SupplierNotReadyReason: a named Supplier exists but is not Ready.
	SupplierNotReadyReason = "SupplierNotReady"
	// DeploymentUnavailableReason: the dispatcher Deployment has no available replica.
	DeploymentUnavailableReason = "DeploymentUnavailable"
	// HeartbeatMissingReason: the dispatcher has not reported within the expected interval.
	HeartbeatMissingReason = "HeartbeatMissing"
	// EjectedReason: outlier detection ejected the supplier until status...ejectedUntil.
	EjectedReason = "Ejected"
	// ThrottledReason: the supplier answers 429/503 often enough to lose weight.
	ThrottledReason = "Throttled"
	// SlowShippingReason: the supplier's p95 ship lag exceeds its SLA times slowShipFactor.
	SlowShippingReason = "SlowShipping"
	// SlowLatencyReason: the supplier's p95 API latency is more than twice the policy's
	// adaptive.slowLatency, so its weight is scaled below half.
	SlowLatencyReason = "SlowLatency"
	// FailingReason: the supplier's failure rate exceeds the policy's failurePercent.
	FailingReason = "Failing"
	// InconclusiveReason: fewer requests than minRequests in the window; no verdict yet.
	InconclusiveReason = "Inconclusive"
	// DeadLetteredReason: lines of the policy were dead-lettered within the health window
	// (Degraded=True, and the Event of a dead-letter burst).
	DeadLetteredReason = "DeadLettered"
	// BacklogGrowingReason: the policy's backlog grew over the last reports (Degraded=True).
	BacklogGrowingReason = "BacklogGrowing"
	// CapacityExhaustedReason: the supplier's perDay/perHour capacity is used up.
	CapacityExhaustedReason = "CapacityExhausted"
	// InvalidSpecReason: the spec passed admission but cannot be rendered (Stalled=True).
	InvalidSpecReason = "InvalidSpec"
	// ReconcileFailedReason: a transient error; the reconcile is retried.
	ReconcileFailedReason = "ReconcileFailed"
)

// GetConditions returns the OrderSource's status conditions.
func (in *OrderSource) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the OrderSource's status conditions.
func (in *OrderSource) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// GetConditions returns the Supplier's status conditions.
func (in *Supplier) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the Supplier's status conditions.
func (in *Supplier) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

// GetConditions returns the RoutingPolicy's status conditions.
func (in *RoutingPolicy) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the RoutingPolicy's status conditions.
func (in *RoutingPolicy) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }
