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

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestCRDsEstablished checks that the API server accepted all three CRDs (their CEL rules
// compiled and fit the cost budget) and serves them.
func TestCRDsEstablished(t *testing.T) {
	for _, name := range []string{"ordersources.dropship.dev", "suppliers.dropship.dev", "routingpolicies.dropship.dev"} {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := k8sClient.Get(context.Background(), types.NamespacedName{Name: name}, &crd); err != nil {
			t.Fatalf("CRD %s: %v", name, err)
		}
		established := false
		for _, c := range crd.Status.Conditions {
			if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
				established = true
			}
		}
		if !established {
			t.Errorf("CRD %s is not established: %+v", name, crd.Status.Conditions)
		}
	}
}
