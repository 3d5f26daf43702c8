// Package chartdoc turns a documented Helm values.yaml into the chart's values.schema.json
// and the values table of its README, so that the three never disagree.
//
// The comment lines right above a key are its description. A comment line starting with
// "@schema" holds a JSON object whose keywords are merged into the key's generated schema.
// Types come from the default values; a non-empty map is closed (additionalProperties
// false) and documented key by key unless its @schema sets additionalProperties, which
// makes it free-form and documented as one value. Every value a user can set must carry a
// description: Parse fails otherwise.
package chartdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Value is one key of values.yaml.
type Value struct {
	// Path is the dotted key, for example "image.repository".
	Path        string
	Description string
	// Schema is the JSON schema of the value, annotations merged.
	Schema map[string]any
	// Default is the value in values.yaml.
	Default any
	// Leaf is true for values documented as a whole (scalars, lists, free-form maps).
	Leaf bool
}

// Values are the keys of a values.yaml, in file order.
type Values struct {
	List   []*Value
	schema map[string]any
}

// Parse reads a documented values.yaml.
func Parse(src []byte) (*Values, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("cannot parse values: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("values must be a YAML mapping")
	}
	v := &Values{}
	props, err := v.mapping("", doc.Content[0])
	if err != nil {
		return nil, err
	}
	// A parent chart passes "global" to every subchart.
	props["global"] = map[string]any{"type": "object", "description": "Values shared with parent and sibling charts."}
	v.schema = map[string]any{
		"$schema":              "http://json-schema.org/draft-07/schema#",
		"title":                "Values of the dropship-operator chart",
		"type":                 "object",
		"additionalProperties": false,
		"properties":           props,
	}
	return v, nil
}

func (v *Values) mapping(prefix string, n *yaml.Node) (map[string]any, error) {
	props := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		path := k.Value
		if prefix != "" {
			path = prefix + "." + k.Value
		}
		desc, annot, err := comment(path, k.HeadComment)
		if err != nil {
			return nil, err
		}
		s, err := v.value(path, desc, annot, val)
		if err != nil {
			return nil, err
		}
		props[k.Value] = s
	}
	return props, nil
}

func (v *Values) value(path, desc string, annot map[string]any, n *yaml.Node) (map[string]any, error) {
	var def any
	if err := n.Decode(&def); err != nil {
		return nil, fmt.Errorf("cannot decode %s: %w", path, err)
	}
	s := map[string]any{}
	entry := &Value{Path: path, Description: desc, Default: def, Schema: s}
	_, free := annot["additionalProperties"]
	switch {
	case n.Kind == yaml.MappingNode && len(n.Content) > 0 && !free:
		v.List = append(v.List, entry)
		props, err := v.mapping(path, n)
		if err != nil {
			return nil, err
		}
		s["type"] = "object"
		s["additionalProperties"] = false
		s["properties"] = props
	case n.Kind == yaml.MappingNode:
		entry.Leaf = true
		v.List = append(v.List, entry)
		s["type"] = "object"
	case n.Kind == yaml.SequenceNode:
		entry.Leaf = true
		v.List = append(v.List, entry)
		s["type"] = "array"
	case n.Kind == yaml.ScalarNode:
		entry.Leaf = true
		v.List = append(v.List, entry)
		switch n.Tag {
		case "!!str":
			s["type"] = "string"
		case "!!int":
			s["type"] = "integer"
		case "!!float":
			s["type"] = "number"
		case "!!bool":
			s["type"] = "boolean"
		default:
			if _, ok := annot["type"]; !ok {
				return nil, fmt.Errorf("%s: cannot infer a type from %q: add @schema {\"type\": …}", path, n.Value)
			}
		}
	default:
		return nil, fmt.Errorf("%s: anchors and aliases are not supported", path)
	}
	if entry.Leaf && desc == "" {
		return nil, fmt.Errorf("%s: every value needs a description (a comment right above it)", path)
	}
	if desc != "" {
		s["description"] = desc
	}
	if entry.Leaf {
		s["default"] = def
	}
	for k, a := range annot {
		s[k] = a
	}
	return s, nil
}

// comment splits a key's head comment into its description and its @schema keywords.
func comment(path, head string) (string, map[string]any, error) {
	annot := map[string]any{}
	var desc []string
	for _, line := range strings.Split(head, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if rest, ok := strings.CutPrefix(line, "@schema"); ok {
			dec := json.NewDecoder(strings.NewReader(rest))
			dec.UseNumber()
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				return "", nil, fmt.Errorf("%s: bad @schema %q: %w", path, rest, err)
			}
			for k, v := range m {
				annot[k] = v
			}
			continue
		}
		if line != "" {
			desc = append(desc, line)
		}
	}
	return strings.Join(desc, " "), annot, nil
}

// Schema is values.schema.json.
func (v *Values) Schema() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v.schema); err != nil {
		return nil, fmt.Errorf("cannot encode the schema: %w", err)
	}
	return b.Bytes(), nil
}

// Table is the Markdown values table: one row per documented value.
func (v *Values) Table() string {
	var b strings.Builder
	b.WriteString("| Key | Type | Default | Description |\n|---|---|---|---|\n")
	for _, e := range v.List {
		if !e.Leaf {
			continue
		}
		def, _ := json.Marshal(e.Default)
		if e.Default == nil {
			def = []byte("null")
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", e.Path, e.Schema["type"], escape(string(def)), escape(e.Description))
	}
	return b.String()
}

func escape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Markers delimit the generated table in the README.
const (
	StartMarker = "<!-- values-table:start (generated by make helm-sync; do not edit) -->"
	EndMarker   = "<!-- values-table:end -->"
)

// UpdateReadme replaces the text between the markers with the table.
func UpdateReadme(readme []byte, table string) ([]byte, error) {
	s := string(readme)
	i := strings.Index(s, StartMarker)
	j := strings.Index(s, EndMarker)
	if i < 0 || j < i {
		return nil, fmt.Errorf("the README lacks the markers %q … %q", StartMarker, EndMarker)
	}
	return []byte(s[:i+len(StartMarker)] + "\n" + table + s[j:]), nil
}
