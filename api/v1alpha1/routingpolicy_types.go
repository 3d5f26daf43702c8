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

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RoutingPolicyKind is the kind name of RoutingPolicy.
const RoutingPolicyKind = "RoutingPolicy"

// RoutingMode is whether a policy sends orders.
// +kubebuilder:validation:Enum=Live;Shadow
type RoutingMode string

// Routing modes.
const (
	// ModeLive decides and sends orders to suppliers.
	ModeLive RoutingMode = "Live"
	// ModeShadow decides and records, and sends nothing: the safe go-live.
	ModeShadow RoutingMode = "Shadow"
)

// SplitMode is how an order's lines are routed.
// +kubebuilder:validation:Enum=ByLine;WholeOrder
type SplitMode string

// Split modes.
const (
	// SplitByLine routes every line on its own; one order may go to several suppliers.
	SplitByLine SplitMode = "ByLine"
	// SplitWholeOrder sends all lines of an order to one supplier.
	SplitWholeOrder SplitMode = "WholeOrder"
)

// Strategy picks one supplier among the eligible candidates of a tier.
// +kubebuilder:validation:Enum=Weighted;Cheapest;Fastest;Priority
type Strategy string

// Strategies.
const (
	// StrategyWeighted picks at random in proportion to the effective weights.
	StrategyWeighted Strategy = "Weighted"
	// StrategyCheapest picks the lowest catalog price.
	StrategyCheapest Strategy = "Cheapest"
	// StrategyFastest picks the shortest catalog lead time.
	StrategyFastest Strategy = "Fastest"
	// StrategyPriority picks the first eligible supplier in list order.
	StrategyPriority Strategy = "Priority"
)

// RoutingPolicySpec is which orders go where. One policy is run by one dispatcher workload.
type RoutingPolicySpec struct {
	// suspend stops reconciliation and scales the dispatcher to zero.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
	// sourceRef names the OrderSource, in the same namespace, orders come from.
	// +required
	SourceRef LocalObjectReference `json:"sourceRef"`
	// mode is Live (send orders) or Shadow (decide and record, send nothing).
	// +optional
	// +kubebuilder:default=Live
	Mode RoutingMode `json:"mode,omitempty"`
	// split is ByLine (route every line on its own) or WholeOrder (one supplier per order).
	// +optional
	// +kubebuilder:default=ByLine
	Split SplitMode `json:"split,omitempty"`
	// rules are evaluated in order; the first that matches a line decides its candidates.
	// The last rule usually matches everything. Names are unique.
	// +required
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Rules []Rule `json:"rules"`
	// adaptive is how supplier health turns into effective weights and ejections.
	// +optional
	// +kubebuilder:default={}
	Adaptive Adaptive `json:"adaptive,omitempty"`
	// dispatcher is the workload that runs the policy.
	// +optional
	// +kubebuilder:default={}
	Dispatcher DispatcherSpec `json:"dispatcher,omitempty"`
}

// Rule is one routing rule.
type Rule struct {
	// name identifies the rule in status and explanations.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern="^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
	Name string `json:"name"`
	// match selects the lines the rule takes; an empty match takes every line.
	// +optional
	Match Match `json:"match,omitempty"`
	// strategy picks one supplier among a tier's eligible candidates.
	// +optional
	// +kubebuilder:default=Weighted
	Strategy Strategy `json:"strategy,omitempty"`
	// tiers are tried in order: tier 0 takes all traffic while healthy; later tiers take
	// over as earlier ones lose health (Envoy priority semantics).
	// +required
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	Tiers []Tier `json:"tiers"`
}

// Match selects lines. Empty fields match everything; all set fields must match.
type Match struct {
	// regions are ship-to provinces, as written in the order's address.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	Regions []string `json:"regions,omitempty"`
	// skus are our SKUs, matched exactly.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	SKUs []string `json:"skus,omitempty"`
	// skuPrefixes match our SKUs by prefix.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	SKUPrefixes []string `json:"skuPrefixes,omitempty"`
	// expression is a CEL expression over order and line (their canonical JSON shapes)
	// that must be true, for example "line.quantity >= 10".
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	Expression string `json:"expression,omitempty"`
}

// Tier is a group of suppliers with base weights.
// +kubebuilder:validation:XValidation:rule="self.suppliers.exists(s, s.weight > 0)",message="at least one supplier of a tier must have a weight above 0",fieldPath=".suppliers"
type Tier struct {
	// suppliers are the tier's candidates, each named at most once.
	// +required
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	Suppliers []WeightedSupplier `json:"suppliers"`
}

// WeightedSupplier is a supplier with its base weight in a tier.
type WeightedSupplier struct {
	// name of the Supplier, in the policy's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// weight is the base weight, 0–10000; shares are weight over the tier's total. 0 keeps
	// the supplier resolved but sends it nothing.
	// +optional
	// +kubebuilder:default=100
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	Weight int32 `json:"weight"`
}

// Adaptive is outlier detection and effective weights (Envoy outlier-detection semantics).
// +kubebuilder:validation:XValidation:rule="!has(self.baseEjectionTime) || !has(self.maxEjectionTime) || duration(self.baseEjectionTime) <= duration(self.maxEjectionTime)",message="adaptive.baseEjectionTime must not exceed adaptive.maxEjectionTime",fieldPath=".baseEjectionTime"
type Adaptive struct {
	// enabled turns adaptive weights and ejection on; off, base weights are used as they are.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// window is the span health statistics are computed over.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="window must be a positive duration such as 5m"
	Window *metav1.Duration `json:"window,omitempty"`
	// minRequests is the number of calls in the window below which a supplier's health is
	// Inconclusive and its weight left alone.
	// +optional
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000000
	MinRequests int32 `json:"minRequests,omitempty"`
	// consecutiveFailures ejects a supplier after that many failures in a row.
	// +optional
	// +kubebuilder:default=5
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	ConsecutiveFailures int32 `json:"consecutiveFailures,omitempty"`
	// failurePercent ejects a supplier whose failure percentage in the window reaches it.
	// +optional
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	FailurePercent int32 `json:"failurePercent,omitempty"`
	// baseEjectionTime is the first ejection's length; each further ejection of the same
	// supplier is longer by this much, up to maxEjectionTime.
	// +optional
	// +kubebuilder:default="1m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="baseEjectionTime must be a positive duration such as 1m"
	BaseEjectionTime *metav1.Duration `json:"baseEjectionTime,omitempty"`
	// maxEjectionTime caps one ejection's length.
	// +optional
	// +kubebuilder:default="10m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="maxEjectionTime must be a positive duration such as 10m"
	MaxEjectionTime *metav1.Duration `json:"maxEjectionTime,omitempty"`
	// maxEjectionPercent caps the percentage of a tier's suppliers ejected at once.
	// +optional
	// +kubebuilder:default=50
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MaxEjectionPercent int32 `json:"maxEjectionPercent,omitempty"`
	// penalizeThrottling lowers the weight of suppliers answering 429/503.
	// +optional
	PenalizeThrottling bool `json:"penalizeThrottling,omitempty"`
	// slowShipFactor lowers the weight of a supplier whose p95 ship lag exceeds its
	// sla.shipWithin times this factor; a decimal string of at least "1", e.g. "1.5".
	// +optional
	// +kubebuilder:default="1.5"
	// +kubebuilder:validation:MaxLength=6
	// +kubebuilder:validation:Pattern="^[0-9]{1,3}(\\.[0-9]{1,2})?$"
	// +kubebuilder:validation:XValidation:rule="double(self) >= 1.0",message="slowShipFactor must be at least 1"
	SlowShipFactor string `json:"slowShipFactor,omitempty"`
	// slowLatency lowers the weight of a supplier whose p95 call latency exceeds it;
	// unset disables the check.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="slowLatency must be a positive duration such as 2s"
	SlowLatency *metav1.Duration `json:"slowLatency,omitempty"`
}

// StoreType is the dispatcher's journal backend.
// +kubebuilder:validation:Enum=SQLite;Postgres
type StoreType string

// Store types.
const (
	// StoreSQLite is an embedded journal on a PersistentVolumeClaim: one replica, Recreate.
	StoreSQLite StoreType = "SQLite"
	// StorePostgres is a PostgreSQL journal shared by any number of replicas.
	StorePostgres StoreType = "Postgres"
)

// Store is the dispatcher's durable order journal.
// +kubebuilder:validation:XValidation:rule="!has(self.type) || self.type != 'Postgres' || has(self.dsnSecretRef)",message="store.dsnSecretRef is required when store.type is Postgres",fieldPath=".dsnSecretRef",reason=FieldValueRequired
type Store struct {
	// type is SQLite (embedded, on a PVC, one replica) or Postgres.
	// +optional
	// +kubebuilder:default=SQLite
	Type StoreType `json:"type,omitempty"`
	// dsnSecretRef names the Secret whose key dsn is the PostgreSQL connection string;
	// required for Postgres.
	// +optional
	DSNSecretRef *SecretReference `json:"dsnSecretRef,omitempty"`
	// size is the PersistentVolumeClaim's size for SQLite.
	// +optional
	// +kubebuilder:default="1Gi"
	Size *resource.Quantity `json:"size,omitempty"`
	// storageClassName is the PersistentVolumeClaim's storage class for SQLite; unset uses
	// the cluster default.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// DispatcherSpec is the workload that runs a policy.
// +kubebuilder:validation:XValidation:rule="!has(self.replicas) || self.replicas <= 1 || (has(self.store) && has(self.store.type) && self.store.type == 'Postgres')",message="dispatcher.replicas above 1 need dispatcher.store.type Postgres",fieldPath=".replicas"
type DispatcherSpec struct {
	// replicas of the dispatcher; above 1 only with the Postgres store.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=32
	Replicas int32 `json:"replicas,omitempty"`
	// store is the durable order journal.
	// +optional
	// +kubebuilder:default={}
	Store Store `json:"store,omitempty"`
	// image of the dispatcher; empty runs the operator's own image.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`
	// imagePullPolicy of the dispatcher container.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// resources of the dispatcher container.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
	// nodeSelector of the dispatcher pods.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// tolerations of the dispatcher pods.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// podAnnotations are added to the dispatcher pods.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`
	// publicURL is how suppliers reach the dispatcher's callback endpoint (an Ingress or
	// gateway address); sent to suppliers with every order.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="publicURL must be an http(s) URL"
	PublicURL string `json:"publicURL,omitempty"`
	// adminTokenSecretRef names a Secret whose key token guards the dispatcher's
	// dead-letter replay and explain endpoints; unset leaves them open inside the cluster.
	// +optional
	AdminTokenSecretRef *SecretReference `json:"adminTokenSecretRef,omitempty"`
}

// DispatcherStatus is what the operator and the dispatcher report about the workload.
type DispatcherStatus struct {
	// deployment is the name of the dispatcher Deployment.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Deployment string `json:"deployment,omitempty"`
	// configHash is the hash of the rendered DispatcherConfig the pods run.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	ConfigHash string `json:"configHash,omitempty"`
	// availableReplicas is the Deployment's available replicas.
	// +optional
	AvailableReplicas int32 `json:"availableReplicas,omitempty"`
	// lastHeartbeatTime is when the dispatcher last wrote its report (it writes only when
	// its figures change; its liveness is the renewTime of its Lease).
	// +optional
	LastHeartbeatTime *metav1.Time `json:"lastHeartbeatTime,omitempty"`
}

// AllocationState is whether a supplier currently takes a rule's traffic.
// +kubebuilder:validation:Enum=Active;Ejected;Ineligible;Suspended
type AllocationState string

// Allocation states.
const (
	// AllocationActive takes its effective share.
	AllocationActive AllocationState = "Active"
	// AllocationEjected is ejected by outlier detection until ejectedUntil.
	AllocationEjected AllocationState = "Ejected"
	// AllocationIneligible cannot take the rule's lines (not found, capacity used up…).
	AllocationIneligible AllocationState = "Ineligible"
	// AllocationSuspended has spec.suspend set.
	AllocationSuspended AllocationState = "Suspended"
)

// Allocation is one supplier's place in one rule, as the dispatcher currently applies it.
type Allocation struct {
	// rule is the rule's name.
	// +required
	// +kubebuilder:validation:MaxLength=63
	Rule string `json:"rule"`
	// supplier is the Supplier's name.
	// +required
	// +kubebuilder:validation:MaxLength=253
	Supplier string `json:"supplier"`
	// tier is the tier index, 0 first.
	// +optional
	Tier int32 `json:"tier"`
	// baseWeight is the weight from the spec.
	// +optional
	BaseWeight int32 `json:"baseWeight"`
	// effectiveWeight is the weight after health adjustments.
	// +optional
	EffectiveWeight int32 `json:"effectiveWeight"`
	// share is the percentage of the rule's lines the supplier currently gets, as a decimal
	// string with at most two decimals ("40", "33.33").
	// +optional
	// +kubebuilder:validation:MaxLength=8
	Share string `json:"share,omitempty"`
	// actualShare is the percentage of the rule's suppliers' accepted lines this supplier
	// took in the health window, as a decimal string ("38.5"); unset when the rule's
	// suppliers accepted nothing in the window.
	// +optional
	// +kubebuilder:validation:MaxLength=8
	ActualShare string `json:"actualShare,omitempty"`
	// state is Active, Ejected, Ineligible or Suspended.
	// +optional
	State AllocationState `json:"state,omitempty"`
	// reason says why the effective weight differs from the base weight, with the same
	// words as condition reasons (Ejected, Throttled, SlowShipping, Failing, Inconclusive…).
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Reason string `json:"reason,omitempty"`
	// ejectedUntil is when an ejection ends.
	// +optional
	EjectedUntil *metav1.Time `json:"ejectedUntil,omitempty"`
}

// Throughput is the dispatcher's order counters since its journal began.
type Throughput struct {
	// received is order lines taken in.
	// +optional
	Received int64 `json:"received"`
	// dispatched is order lines accepted by a supplier.
	// +optional
	Dispatched int64 `json:"dispatched"`
	// recorded is order lines whose purchase order is in the ERP.
	// +optional
	Recorded int64 `json:"recorded"`
	// shipped is order lines with a tracking number.
	// +optional
	Shipped int64 `json:"shipped"`
	// deadLettered is order lines given up on (unroutable or retries exhausted).
	// +optional
	DeadLettered int64 `json:"deadLettered"`
	// backlog is order lines taken in and not yet accepted by a supplier.
	// +optional
	Backlog int64 `json:"backlog"`
	// lastPollTime is when the source was last polled.
	// +optional
	LastPollTime *metav1.Time `json:"lastPollTime,omitempty"`
}

// RoutingPolicyStatus is the observed state of a RoutingPolicy.
type RoutingPolicyStatus struct {
	// observedGeneration is the metadata.generation last reconciled successfully.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// conditions: Ready, SourceResolved, SuppliersResolved, DispatcherAvailable, Degraded,
	// Reconciling, Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// dispatcher is the workload's state.
	// +optional
	Dispatcher *DispatcherStatus `json:"dispatcher,omitempty"`
	// allocation is every supplier's place in every rule as currently applied.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=2048
	Allocation []Allocation `json:"allocation,omitempty"`
	// throughput is the dispatcher's order counters.
	// +optional
	Throughput *Throughput `json:"throughput,omitempty"`
	// effectiveWeights is every rule's effective weights in one line for kubectl, written
	// by the dispatcher: "c=12,d=44,e=44", with "rule: " prefixes and "; " between rules
	// when the policy has more than one rule.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	EffectiveWeights string `json:"effectiveWeights,omitempty"`
}

// RoutingPolicy decides which supplier gets every order line from one OrderSource, and is
// run by one dispatcher workload the operator owns.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=rp,categories=dropship
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.mode`
// +kubebuilder:printcolumn:name="Backlog",type=integer,JSONPath=`.status.throughput.backlog`
// +kubebuilder:printcolumn:name="Shipped",type=integer,JSONPath=`.status.throughput.shipped`,priority=1
// +kubebuilder:printcolumn:name="Weights",type=string,JSONPath=`.status.effectiveWeights`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type RoutingPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state.
	// +required
	Spec RoutingPolicySpec `json:"spec"`
	// status is the observed state.
	// +optional
	Status RoutingPolicyStatus `json:"status,omitempty"`
}

// RoutingPolicyList is a list of RoutingPolicies.
//
// +kubebuilder:object:root=true
type RoutingPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the RoutingPolicies.
	Items []RoutingPolicy `json:"items"`
}
