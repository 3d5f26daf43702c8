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
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestAddToSchemeRegistersKinds(t *testing.T) {
	s := runtime.NewScheme()
	if err := AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		obj  runtime.Object
		kind string
	}{
		"OrderSource":       {&OrderSource{}, OrderSourceKind},
		"OrderSourceList":   {&OrderSourceList{}, OrderSourceKind + "List"},
		"Supplier":          {&Supplier{}, SupplierKind},
		"SupplierList":      {&SupplierList{}, SupplierKind + "List"},
		"RoutingPolicy":     {&RoutingPolicy{}, RoutingPolicyKind},
		"RoutingPolicyList": {&RoutingPolicyList{}, RoutingPolicyKind + "List"},
	}
	for name, tc := range cases {
		gvks, _, err := s.ObjectKinds(tc.obj)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := GroupVersion.WithKind(tc.kind)
		if len(gvks) != 1 || gvks[0] != want {
			t.Errorf("%s: registered as %v, want %v", name, gvks, want)
		}
	}
}

// conditionsAccessor is what condition helpers (meta.SetStatusCondition and the
// controllers' status code) need from every kind.
type conditionsAccessor interface {
	GetConditions() []metav1.Condition
	SetConditions([]metav1.Condition)
}

func TestConditionsRoundTrip(t *testing.T) {
	for name, obj := range map[string]conditionsAccessor{
		"OrderSource": &OrderSource{}, "Supplier": &Supplier{}, "RoutingPolicy": &RoutingPolicy{},
	} {
		conds := obj.GetConditions()
		meta.SetStatusCondition(&conds, metav1.Condition{Type: ReadyCondition, Status: metav1.ConditionFalse, Reason: SecretNotFoundReason, Message: "Secret x not found"})
		obj.SetConditions(conds)
		got := meta.FindStatusCondition(obj.GetConditions(), ReadyCondition)
		if got == nil {
			t.Errorf("%s: Ready condition not stored", name)
			continue
		}
		if diff := cmp.Diff(SecretNotFoundReason, got.Reason); diff != "" {
			t.Errorf("%s: reason (-want +got):\n%s", name, diff)
		}
	}
}

func TestDeepCopyIsIndependent(t *testing.T) {
	in := &RoutingPolicy{Spec: RoutingPolicySpec{Rules: []Rule{{Name: "south", Tiers: []Tier{{Suppliers: []WeightedSupplier{{Name: "supplier-a", Weight: 70}}}}}}}}
	out := in.DeepCopy()
	out.Spec.Rules[0].Tiers[0].Suppliers[0].Weight = 1
	if in.Spec.Rules[0].Tiers[0].Suppliers[0].Weight != 70 {
		t.Fatal("DeepCopy shares the tiers slice with the original")
	}
}
