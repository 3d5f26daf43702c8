package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConvert(t *testing.T) {
	cases := map[string]struct {
		in, want map[string]any
		def      string
	}{
		"closes objects with properties": {
			in:   map[string]any{"type": "object", "description": "d", "properties": map[string]any{"description": map[string]any{"type": "string", "description": "x"}}},
			want: map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{"description": map[string]any{"type": "string"}}},
		},
		"keeps free-form maps open": {
			in:   map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
			want: map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		},
		"preserve unknown fields": {
			in:   map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": map[string]any{}},
			want: map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": map[string]any{}},
		},
		"int-or-string": {
			in:   map[string]any{"type": "string", "format": "int-or-string"},
			want: map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}},
		},
		"crd int-or-string keeps its anyOf": {
			in:   map[string]any{"x-kubernetes-int-or-string": true, "anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}},
			want: map[string]any{"x-kubernetes-int-or-string": true, "anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}},
		},
		"quantity": {
			def:  "io.k8s.apimachinery.pkg.api.resource.Quantity",
			in:   map[string]any{"type": "string"},
			want: map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}},
		},
		"nullable": {
			in:   map[string]any{"type": "string", "nullable": true},
			want: map[string]any{"type": []any{"string", "null"}, "nullable": true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, convert(tc.in, tc.def)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	cases := map[string][3]string{
		"deployment-apps-v1.json":              {"Deployment", "apps", "v1"},
		"service-v1.json":                      {"Service", "", "v1"},
		"clusterrole-rbac-v1.json":             {"ClusterRole", "rbac.authorization.k8s.io", "v1"},
		"routingpolicy-dropship-v1alpha1.json": {"RoutingPolicy", "dropship.dev", "v1alpha1"},
	}
	for want, in := range cases {
		if got := fileName(in[0], in[1], in[2]); got != want {
			t.Errorf("fileName%v = %q, want %q", in, got, want)
		}
	}
}

func TestWithDefinitionsIsStandalone(t *testing.T) {
	defs := map[string]any{
		"a": map[string]any{"properties": map[string]any{"b": map[string]any{"$ref": "#/definitions/b"}}},
		"b": map[string]any{"properties": map[string]any{"self": map[string]any{"$ref": "#/definitions/b"}}},
		"c": map[string]any{"type": "string"},
	}
	got := withDefinitions(defs["a"].(map[string]any), defs)
	d, _ := got["definitions"].(map[string]any)
	if _, ok := d["b"]; !ok || len(d) != 1 {
		t.Errorf("want exactly the reachable definition b (recursion included), got %v", d)
	}
}
