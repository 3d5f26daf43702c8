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

package admission

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// applyStatus server-side-applies a status document (YAML) as fieldManager.
func applyStatus(t *testing.T, obj client.Object, kind, fieldManager, status string) {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte("status:\n"+status), &u.Object); err != nil {
		t.Fatalf("status YAML: %v", err)
	}
	u.SetAPIVersion(dropshipv1.GroupVersion.String())
	u.SetKind(kind)
	u.SetNamespace(obj.GetNamespace())
	u.SetName(obj.GetName())
	err := k8sClient.Status().Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(fieldManager), client.ForceOwnership)
	if err != nil {
		t.Fatalf("apply status as %s: %v", fieldManager, err)
	}
}

// TestSupplierDispatchersKeyedByPolicy shows two dispatchers (two policies, two field
// managers) each owning their own status.dispatchers entry: an update by one keeps the
// other's entry, which a list that is not a map keyed by policy would lose.
func TestSupplierDispatchersKeyedByPolicy(t *testing.T) {
	ctx := context.Background()
	u := object(t, "ssa-supplier", baseSupplier, "")
	if err := k8sClient.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	applyStatus(t, u, dropshipv1.SupplierKind, "dispatcher-admission-main", `
  dispatchers:
  - {policy: admission/main, reportedAt: "2026-11-24T04:00:00Z", successRate: "99.5", p95LatencyMillis: 300, ordersToday: 10, state: Active}`)
	applyStatus(t, u, dropshipv1.SupplierKind, "dispatcher-admission-backup", `
  dispatchers:
  - {policy: admission/backup, reportedAt: "2026-11-24T04:00:05Z", successRate: "40", p95LatencyMillis: 2100, ordersToday: 3, state: Ejected, window: 5m0s, shipLagP95: 20h0m0s}`)
	applyStatus(t, u, dropshipv1.SupplierKind, "dispatcher-admission-main", `
  dispatchers:
  - {policy: admission/main, reportedAt: "2026-11-24T04:00:15Z", successRate: "98", p95LatencyMillis: 320, ordersToday: 12, state: Active}`)

	var got dropshipv1.Supplier
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(u), &got); err != nil {
		t.Fatal(err)
	}
	byPolicy := map[string]dropshipv1.DispatcherHealthReport{}
	for _, d := range got.Status.Dispatchers {
		byPolicy[d.Policy] = d
	}
	if len(byPolicy) != 2 {
		t.Fatalf("status.dispatchers = %+v, want one entry per policy (2)", got.Status.Dispatchers)
	}
	if r := byPolicy["admission/main"]; r.OrdersToday != 12 || r.SuccessRate != "98" {
		t.Errorf("main entry = %+v, want the second report (ordersToday 12, successRate 98)", r)
	}
	if r := byPolicy["admission/backup"]; r.State != dropshipv1.SupplierEjected || r.ShipLagP95 == nil {
		t.Errorf("backup entry = %+v, want it kept as Ejected with shipLagP95", r)
	}
}

// TestRoutingPolicyStatusAccepted writes the status a dispatcher and the operator report
// and reads it back, so the status schema takes what DESIGN §4 says is reported.
func TestRoutingPolicyStatusAccepted(t *testing.T) {
	ctx := context.Background()
	u := object(t, "ssa-policy", baseRoutingPolicy, "")
	if err := k8sClient.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	applyStatus(t, u, dropshipv1.RoutingPolicyKind, "dispatcher-admission-ssa-policy", `
  dispatcher: {lastHeartbeatTime: "2026-11-24T04:00:00Z"}
  allocation:
  - {rule: all, supplier: supplier-a, tier: 0, baseWeight: 70, effectiveWeight: 0, share: "0", state: Ejected, reason: Failing, ejectedUntil: "2026-11-24T04:05:00Z"}
  - {rule: all, supplier: supplier-b, tier: 0, baseWeight: 30, effectiveWeight: 30, share: "100", state: Active}
  throughput: {received: 100, dispatched: 90, recorded: 88, shipped: 50, deadLettered: 1, backlog: 9, lastPollTime: "2026-11-24T04:00:00Z"}`)
	applyStatus(t, u, dropshipv1.RoutingPolicyKind, "dropship-operator", `
  observedGeneration: 1
  dispatcher: {deployment: dropship-ssa-policy, configHash: abc123, availableReplicas: 1}
  conditions:
  - {type: Ready, status: "True", reason: Succeeded, message: ok, lastTransitionTime: "2026-11-24T04:00:00Z"}`)

	var got dropshipv1.RoutingPolicy
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(u), &got); err != nil {
		t.Fatal(err)
	}
	st := got.Status
	if st.Dispatcher == nil || st.Dispatcher.Deployment != "dropship-ssa-policy" || st.Dispatcher.LastHeartbeatTime == nil {
		t.Errorf("status.dispatcher = %+v, want the operator's and the dispatcher's fields merged", st.Dispatcher)
	}
	if len(st.Allocation) != 2 || st.Allocation[0].State != dropshipv1.AllocationEjected || st.Allocation[0].EjectedUntil == nil {
		t.Errorf("status.allocation = %+v", st.Allocation)
	}
	if st.Throughput == nil || st.Throughput.Backlog != 9 {
		t.Errorf("status.throughput = %+v, want backlog 9", st.Throughput)
	}
	if len(st.Conditions) != 1 || st.ObservedGeneration != 1 {
		t.Errorf("conditions %+v observedGeneration %d", st.Conditions, st.ObservedGeneration)
	}
}
