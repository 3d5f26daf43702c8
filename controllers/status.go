package controllers

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// FieldOwner is the field manager of everything the operator writes. The dispatchers
// write their own status fields (health, allocation, throughput, heartbeats) under their
// own field managers; server-side apply keeps both apart.
const FieldOwner = "dropship-operator"

// ownedStatus is the part of a status the operator writes.
type ownedStatus struct {
	ObservedGeneration int64                  `json:"observedGeneration,omitempty"`
	Conditions         []metav1.Condition     `json:"conditions,omitempty"`
	Dispatcher         *ownedDispatcherStatus `json:"dispatcher,omitempty"`
}

// ownedDispatcherStatus is the operator's share of RoutingPolicy.status.dispatcher;
// lastHeartbeatTime belongs to the dispatcher.
type ownedDispatcherStatus struct {
	Deployment        string `json:"deployment,omitempty"`
	ConfigHash        string `json:"configHash,omitempty"`
	AvailableReplicas int32  `json:"availableReplicas"`
}

// statusPatcher writes an object's owned status at most once per reconcile, and not at all
// when it did not change: it remembers the status as read and compares at the end.
type statusPatcher struct {
	client client.Client
	gvk    schema.GroupVersionKind
	before ownedStatus
}

func newStatusPatcher(c client.Client, gvk schema.GroupVersionKind, before ownedStatus) *statusPatcher {
	return &statusPatcher{client: c, gvk: gvk, before: before}
}

// changed tells whether after differs from the status as read.
func (p *statusPatcher) changed(after ownedStatus) bool {
	return !equality.Semantic.DeepEqual(p.before, after)
}

// patch applies after with server-side apply under FieldOwner when it changed. It returns
// whether it wrote.
func (p *statusPatcher) patch(ctx context.Context, obj client.Object, after ownedStatus) (bool, error) {
	if !p.changed(after) {
		return false, nil
	}
	b, err := json.Marshal(after)
	if err != nil {
		return false, fmt.Errorf("cannot encode status of %s %q: %w", p.gvk.Kind, obj.GetName(), err)
	}
	var status map[string]any
	if err := json.Unmarshal(b, &status); err != nil {
		return false, fmt.Errorf("cannot encode status of %s %q: %w", p.gvk.Kind, obj.GetName(), err)
	}
	u := &unstructured.Unstructured{Object: map[string]any{"status": status}}
	u.SetGroupVersionKind(p.gvk)
	u.SetName(obj.GetName())
	u.SetNamespace(obj.GetNamespace())
	if err := p.client.Status().Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return false, fmt.Errorf("cannot patch status of %s %q: %w", p.gvk.Kind, obj.GetName(), err)
	}
	p.before = after
	return true, nil
}
