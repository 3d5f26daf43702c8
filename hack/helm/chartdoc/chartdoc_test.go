package chartdoc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	src := `# file header, not a description

# Replicas.
# @schema {"minimum": 1}
replicaCount: 1
image:
  # Repository.
  repository: example.com/x
# Free-form resources.
# @schema {"additionalProperties": true}
resources:
  limits:
    cpu: 1
# Labels.
labels: {}
`
	v, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range v.List {
		if e.Leaf {
			paths = append(paths, e.Path)
		}
	}
	if diff := cmp.Diff([]string{"replicaCount", "image.repository", "resources", "labels"}, paths); diff != "" {
		t.Errorf("documented values (-want +got):\n%s", diff)
	}
	raw, err := v.Schema()
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		AdditionalProperties bool `json:"additionalProperties"`
		Properties           map[string]struct {
			Type                 string
			Description          string
			Minimum              *int
			AdditionalProperties any `json:"additionalProperties"`
			Properties           map[string]any
		}
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if s.AdditionalProperties {
		t.Errorf("the top level must be closed")
	}
	if p := s.Properties["replicaCount"]; p.Type != "integer" || p.Minimum == nil || *p.Minimum != 1 || p.Description != "Replicas." {
		t.Errorf("replicaCount: %+v", p)
	}
	if p := s.Properties["image"]; p.AdditionalProperties != false || p.Properties["repository"] == nil {
		t.Errorf("image must be a closed object with repository: %+v", p)
	}
	if p := s.Properties["resources"]; p.AdditionalProperties != true || p.Properties != nil {
		t.Errorf("resources must be free-form: %+v", p)
	}
	if !strings.Contains(v.Table(), "| `image.repository` | string | `\"example.com/x\"` | Repository. |") {
		t.Errorf("table:\n%s", v.Table())
	}
}

func TestParseRefusesUndocumentedValues(t *testing.T) {
	cases := map[string]string{
		"no comment":  "a: 1\n",
		"nested":      "a:\n  # B.\n  b: 1\n  c: 2\n",
		"null":        "# A.\na: ~\n",
		"bad @schema": "# A.\n# @schema {min\na: 1\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(src)); err == nil {
				t.Errorf("Parse(%q) succeeded", src)
			}
		})
	}
}

func TestUpdateReadme(t *testing.T) {
	got, err := UpdateReadme([]byte("x\n"+StartMarker+"\nold\n"+EndMarker+"\ny\n"), "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "x\n" + StartMarker + "\nnew\n" + EndMarker + "\ny\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := UpdateReadme([]byte("no markers"), "t"); err == nil {
		t.Errorf("a README without markers must be refused")
	}
}
