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
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// samplesNamespace is the namespace config/samples/kustomization.yaml puts everything in.
const samplesNamespace = "shop"

// samplesDir is config/samples.
var samplesDir = filepath.Join(root, "config", "samples")

// sampleFiles lists the YAML files of config/samples, kustomization.yaml excluded.
func sampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == "kustomization.yaml" })
	if len(files) == 0 {
		t.Fatal("config/samples holds no YAML files")
	}
	return files
}

// decodeAll reads every document of a multi-document YAML file.
func decodeAll(t *testing.T, file string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("%s: %v", file, err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// TestSamplesAccepted creates every object of every sample file, in the order Namespace,
// Secrets and ConfigMaps, then the dropship kinds, and checks the API server accepts each.
func TestSamplesAccepted(t *testing.T) {
	ctx := context.Background()
	var objs []*unstructured.Unstructured
	for _, f := range sampleFiles(t) {
		objs = append(objs, decodeAll(t, f)...)
	}
	rank := func(u *unstructured.Unstructured) int {
		switch u.GetKind() {
		case "Namespace":
			return 0
		case "Secret", "ConfigMap":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(objs, func(a, b *unstructured.Unstructured) int { return rank(a) - rank(b) })
	kinds := map[string]int{}
	for _, u := range objs {
		if u.GetKind() != "Namespace" {
			u.SetNamespace(samplesNamespace)
		}
		if err := k8sClient.Create(ctx, u); err != nil {
			t.Errorf("%s %s refused: %v", u.GetKind(), u.GetName(), err)
			continue
		}
		kinds[u.GetKind()]++
	}
	// The set is complete: two sources (K3Cloud and webhook), five suppliers, one policy.
	for kind, want := range map[string]int{"OrderSource": 2, "Supplier": 5, "RoutingPolicy": 1} {
		if kinds[kind] != want {
			t.Errorf("samples created %d %s objects, want %d", kinds[kind], kind, want)
		}
	}
}

// TestSamplesReferencesResolve checks the sample set is a working set: every Secret,
// ConfigMap, OrderSource and Supplier a sample refers to is itself a sample.
func TestSamplesReferencesResolve(t *testing.T) {
	have := map[string]bool{}
	var refs []string
	for _, f := range sampleFiles(t) {
		for _, u := range decodeAll(t, f) {
			have[u.GetKind()+"/"+u.GetName()] = true
			refs = append(refs, references(u)...)
		}
	}
	if len(refs) == 0 {
		t.Fatal("found no references in the samples")
	}
	for _, r := range refs {
		if !have[r] {
			t.Errorf("a sample refers to %s, which no sample defines", r)
		}
	}
}

// references lists "Kind/name" for every object u refers to, found by field name.
func references(u *unstructured.Unstructured) []string {
	var out []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if name, ok := v["name"].(string); ok {
				switch {
				case strings.HasSuffix(key, "SecretRef") || key == "secretRef":
					out = append(out, "Secret/"+name)
				case key == "skuMapRef" || key == "templateRef":
					out = append(out, "ConfigMap/"+name)
				case key == "sourceRef":
					out = append(out, "OrderSource/"+name)
				}
			}
			for k, c := range v {
				walk(k, c)
			}
		case []any:
			for _, c := range v {
				if m, ok := c.(map[string]any); ok && key == "suppliers" {
					out = append(out, "Supplier/"+m["name"].(string))
				}
				walk(key, c)
			}
		}
	}
	walk("", u.Object)
	return out
}

// TestKustomizationListsSamples checks kustomization.yaml names every sample file but the
// alternative webhook source, and nothing else.
func TestKustomizationListsSamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samplesDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Namespace string   `json:"namespace"`
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatal(err)
	}
	if k.Namespace != samplesNamespace {
		t.Errorf("kustomization namespace is %q, want %q", k.Namespace, samplesNamespace)
	}
	var want []string
	for _, f := range sampleFiles(t) {
		if b := filepath.Base(f); b != "dropship_v1alpha1_ordersource_webhook.yaml" {
			want = append(want, b)
		}
	}
	got := slices.Sorted(slices.Values(k.Resources))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources = %v, want %v", got, want)
	}
}

// TestSamplePolicyDefaults reads the sample policy back and checks the API server applied
// the defaults the spec docs promise.
func TestSamplePolicyDefaults(t *testing.T) {
	ctx := context.Background()
	u := object(t, "defaults", baseRoutingPolicy, "")
	if err := k8sClient.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(u.GroupVersionKind())
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(u), got); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]any{
		"spec.mode":                    "Live",
		"spec.split":                   "ByLine",
		"spec.dispatcher.replicas":     int64(1),
		"spec.dispatcher.store.type":   "SQLite",
		"spec.dispatcher.store.size":   "1Gi",
		"spec.adaptive.window":         "5m",
		"spec.adaptive.failurePercent": int64(20),
		"spec.adaptive.slowShipFactor": "1.5",
	} {
		v, ok, err := unstructured.NestedFieldNoCopy(got.Object, strings.Split(path, ".")...)
		if err != nil || !ok || v != want {
			t.Errorf("%s = %v (found %v, %v), want %v", path, v, ok, err, want)
		}
	}
	rules, _, _ := unstructured.NestedSlice(got.Object, "spec", "rules")
	rule := rules[0].(map[string]any)
	if rule["strategy"] != "Weighted" {
		t.Errorf("spec.rules[0].strategy = %v, want Weighted", rule["strategy"])
	}
}
