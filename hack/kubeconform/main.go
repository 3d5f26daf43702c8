// Command kubeconform writes strict, standalone JSON schemas for kubeconform, offline:
// one per Kubernetes kind from the API server's OpenAPI v2 document (swagger.json of the
// k8s.io/kubernetes module), and one per version of every CustomResourceDefinition found in
// the given directories. Files are named as kubeconform looks them up with
// -schema-location 'DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json'.
//
// Strict means every object that lists its properties refuses others (as the API server's
// field validation does), except where the schema preserves unknown fields.
//
//	go run ./hack/kubeconform -swagger .../swagger.json -out bin/schemas/k8s \
//	    -crds config/crd/bases -crds-out bin/schemas/crds
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

const (
	defsPrefix = "#/definitions/"
	objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	swagger := flag.String("swagger", "", "Kubernetes OpenAPI v2 document (swagger.json)")
	out := flag.String("out", "", "directory for the Kubernetes schemas")
	crdsOut := flag.String("crds-out", "", "directory for the CRD schemas")
	var crdDirs stringList
	flag.Var(&crdDirs, "crds", "directory of CustomResourceDefinition YAML files (repeatable)")
	flag.Parse()
	if *swagger == "" || *out == "" || (len(crdDirs) > 0 && *crdsOut == "") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*swagger, *out, crdDirs, *crdsOut); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(swaggerPath, out string, crdDirs []string, crdsOut string) error {
	raw, err := os.ReadFile(swaggerPath)
	if err != nil {
		return err
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("cannot parse %s: %w", swaggerPath, err)
	}
	defs := map[string]any{}
	for name, d := range doc.Definitions {
		defs[name] = convert(d, name)
	}
	n, err := writeKinds(doc.Definitions, defs, out)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d Kubernetes schemas into %s\n", n, out)
	if len(crdDirs) == 0 {
		return nil
	}
	n = 0
	for _, dir := range crdDirs {
		c, err := writeCRDs(dir, defs, crdsOut)
		if err != nil {
			return err
		}
		n += c
	}
	fmt.Printf("wrote %d CRD schemas into %s\n", n, crdsOut)
	return nil
}

// writeKinds writes one schema per group/version/kind of the swagger definitions.
func writeKinds(raw map[string]map[string]any, defs map[string]any, out string) (int, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	n := 0
	for _, name := range names {
		gvks, _ := raw[name]["x-kubernetes-group-version-kind"].([]any)
		if len(gvks) == 0 || strings.HasPrefix(name, "io.k8s.apimachinery.pkg.apis.meta.v1.") {
			continue // list options, watch events and the like: never in a manifest
		}
		for _, g := range gvks {
			gvk, _ := g.(map[string]any)
			group, _ := gvk["group"].(string)
			version, _ := gvk["version"].(string)
			kind, _ := gvk["kind"].(string)
			root := withDefinitions(defs[name].(map[string]any), defs)
			if err := writeJSON(filepath.Join(out, fileName(kind, group, version)), root); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// fileName is kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json.
func fileName(kind, group, version string) string {
	suffix := "-" + strings.ToLower(version)
	if group != "" {
		suffix = "-" + strings.ToLower(strings.Split(group, ".")[0]) + suffix
	}
	return strings.ToLower(kind) + suffix + ".json"
}

// withDefinitions makes root standalone: it carries every definition it reaches.
func withDefinitions(root map[string]any, defs map[string]any) map[string]any {
	reached := map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				name := strings.TrimPrefix(ref, defsPrefix)
				if _, seen := reached[name]; !seen {
					if d, ok := defs[name]; ok {
						reached[name] = d
						walk(d)
					}
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(root)
	out := map[string]any{}
	for k, v := range root {
		out[k] = v
	}
	if len(reached) > 0 {
		out["definitions"] = reached
	}
	return out
}

// convert turns an OpenAPI schema into a strict JSON schema: int-or-string and quantities
// accept both of their forms, nullable accepts null, descriptions go (they only add bulk),
// and objects with listed properties refuse others unless unknown fields are preserved.
func convert(v any, defName string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, c := range m {
		switch k {
		case "description", "x-kubernetes-group-version-kind", "x-kubernetes-list-map-keys",
			"x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-patch-merge-key",
			"x-kubernetes-patch-strategy", "x-kubernetes-validations", "x-kubernetes-unions":
			continue
		case "properties", "patternProperties", "definitions":
			props := map[string]any{}
			for name, p := range c.(map[string]any) {
				props[name] = convert(p, "")
			}
			out[k] = props
		case "items", "additionalProperties", "not":
			if _, isBool := c.(bool); isBool {
				out[k] = c
			} else {
				out[k] = convert(c, "")
			}
		case "allOf", "anyOf", "oneOf":
			list := []any{}
			for _, s := range c.([]any) {
				list = append(list, convert(s, ""))
			}
			out[k] = list
		default:
			out[k] = c
		}
	}
	if out["format"] == "int-or-string" || out["x-kubernetes-int-or-string"] == true {
		delete(out, "type")
		delete(out, "format")
		if out["anyOf"] == nil && out["oneOf"] == nil {
			out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
		}
	}
	if defName == "io.k8s.apimachinery.pkg.api.resource.Quantity" {
		delete(out, "type")
		out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}
	}
	if out["nullable"] == true {
		if t, ok := out["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
	}
	if _, listed := out["properties"]; listed && out["additionalProperties"] == nil &&
		out["x-kubernetes-preserve-unknown-fields"] != true {
		out["additionalProperties"] = false
	}
	return out
}

// writeCRDs writes one schema per served version of each CRD found in dir.
func writeCRDs(dir string, defs map[string]any, out string) (int, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		docs, err := splitYAML(f)
		if err != nil {
			return n, err
		}
		for _, d := range docs {
			var crd struct {
				Kind string `json:"kind"`
				Spec struct {
					Group    string                `json:"group"`
					Names    struct{ Kind string } `json:"names"`
					Versions []struct {
						Name   string `json:"name"`
						Schema struct {
							OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
						} `json:"schema"`
					} `json:"versions"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(d, &crd); err != nil {
				return n, fmt.Errorf("cannot parse %s: %w", f, err)
			}
			if crd.Kind != "CustomResourceDefinition" {
				continue
			}
			for _, v := range crd.Spec.Versions {
				if v.Schema.OpenAPIV3Schema == nil {
					return n, fmt.Errorf("%s: version %s has no openAPIV3Schema", f, v.Name)
				}
				s := convert(v.Schema.OpenAPIV3Schema, "").(map[string]any)
				props, _ := s["properties"].(map[string]any)
				if props == nil {
					props = map[string]any{}
					s["properties"] = props
				}
				// The API server validates metadata as ObjectMeta whatever the CRD says.
				props["metadata"] = map[string]any{"$ref": defsPrefix + objectMeta}
				props["apiVersion"] = map[string]any{"type": "string", "enum": []any{crd.Spec.Group + "/" + v.Name}}
				props["kind"] = map[string]any{"type": "string", "enum": []any{crd.Spec.Names.Kind}}
				if _, ok := s["additionalProperties"]; !ok && s["x-kubernetes-preserve-unknown-fields"] != true {
					s["additionalProperties"] = false
				}
				s = withDefinitions(s, defs)
				if err := writeJSON(filepath.Join(out, fileName(crd.Spec.Names.Kind, crd.Spec.Group, v.Name)), s); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}

func splitYAML(path string) ([][]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, d := range bytes.Split(raw, []byte("\n---")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs, nil
}

func writeJSON(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	err = enc.Encode(v)
	return errors.Join(err, f.Close())
}
