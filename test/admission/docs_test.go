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
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// crdDocs pairs each generated CRD with its spec doc.
var crdDocs = map[string]string{
	"dropship.dev_ordersources.yaml":    "ordersource.md",
	"dropship.dev_suppliers.yaml":       "supplier.md",
	"dropship.dev_routingpolicies.yaml": "routingpolicy.md",
}

// coreTypes are Kubernetes types embedded as they are; their inner fields are documented
// upstream, not in docs/spec.
var coreTypes = []string{"resources", "tolerations", "conditions"}

func readCRD(t *testing.T, file string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "config", "crd", "bases", file))
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &crd
}

// fieldNames lists the property names under spec and status, not descending into core types.
func fieldNames(p apiextensionsv1.JSONSchemaProps) []string {
	var out []string
	for name, child := range p.Properties {
		out = append(out, name)
		if slices.Contains(coreTypes, name) {
			continue
		}
		out = append(out, fieldNames(child)...)
		if child.Items != nil && child.Items.Schema != nil {
			out = append(out, fieldNames(*child.Items.Schema)...)
		}
	}
	return out
}

var (
	// codeSpan is an inline Markdown code span.
	codeSpan = regexp.MustCompile("`[^`\\n]+`")
	// wordRE is a field name, or a part of a dotted path, inside a code span.
	wordRE = regexp.MustCompile(`[A-Za-z0-9]+`)
)

// TestSpecDocsCoverEveryField checks that docs/spec/<kind>.md names every spec and status
// field of the generated CRD (in backticks, alone or as part of a dotted path).
func TestSpecDocsCoverEveryField(t *testing.T) {
	for crdFile, docFile := range crdDocs {
		doc, err := os.ReadFile(filepath.Join(root, "docs", "spec", docFile))
		if err != nil {
			t.Fatal(err)
		}
		schema := readCRD(t, crdFile).Spec.Versions[0].Schema.OpenAPIV3Schema
		var names []string
		for _, top := range []string{"spec", "status"} {
			names = append(names, fieldNames(schema.Properties[top])...)
		}
		words := map[string]bool{}
		for _, span := range codeSpan.FindAll(doc, -1) {
			for _, w := range wordRE.FindAll(span, -1) {
				words[string(w)] = true
			}
		}
		for _, n := range names {
			if !words[n] {
				t.Errorf("%s does not document field %q of %s", docFile, n, crdFile)
			}
		}
	}
}

// TestSpecDocsCoverEveryCondition checks each doc's conditions table names the condition
// types its kind's status lists.
func TestSpecDocsCoverEveryCondition(t *testing.T) {
	want := map[string][]string{
		"ordersource.md":   {"Ready", "CredentialsResolved", "Reconciling", "Stalled"},
		"supplier.md":      {"Ready", "CredentialsResolved", "Healthy", "Reconciling", "Stalled"},
		"routingpolicy.md": {"Ready", "SourceResolved", "SuppliersResolved", "DispatcherAvailable", "Degraded", "Reconciling", "Stalled"},
	}
	for docFile, types := range want {
		doc, err := os.ReadFile(filepath.Join(root, "docs", "spec", docFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range types {
			if !strings.Contains(string(doc), "| `"+c+"` |") {
				t.Errorf("%s has no conditions-table row for %s", docFile, c)
			}
		}
	}
}

// TestPrinterColumns checks every kind prints Ready, Status and Age, its key figure, and
// has its short name and the dropship category.
func TestPrinterColumns(t *testing.T) {
	cases := map[string]struct {
		shortName string
		columns   []string
		wide      []string
	}{
		"dropship.dev_ordersources.yaml":    {"osrc", []string{"Ready", "Status", "Received", "Age"}, []string{"Last Poll"}},
		"dropship.dev_suppliers.yaml":       {"sup", []string{"Ready", "Status", "State", "Age"}, []string{"Healthy", "Success", "P95", "Today", "Cap"}},
		"dropship.dev_routingpolicies.yaml": {"rp", []string{"Ready", "Status", "Mode", "Backlog", "Age"}, []string{"Shipped", "Weights"}},
	}
	for file, tc := range cases {
		crd := readCRD(t, file)
		if !slices.Contains(crd.Spec.Names.ShortNames, tc.shortName) || !slices.Contains(crd.Spec.Names.Categories, "dropship") {
			t.Errorf("%s: shortNames %v categories %v", file, crd.Spec.Names.ShortNames, crd.Spec.Names.Categories)
		}
		v := crd.Spec.Versions[0]
		if v.Subresources == nil || v.Subresources.Status == nil {
			t.Errorf("%s: no status subresource", file)
		}
		var cols, wide []string
		for _, c := range v.AdditionalPrinterColumns {
			if c.Priority == 0 {
				cols = append(cols, c.Name)
			} else {
				wide = append(wide, c.Name)
			}
		}
		if !slices.Equal(cols, tc.columns) || !slices.Equal(wide, tc.wide) {
			t.Errorf("%s: columns %v wide %v, want %v wide %v", file, cols, wide, tc.columns, tc.wide)
		}
	}
}
