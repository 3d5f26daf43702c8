package chart

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/hack/helm/chartdoc"
)

// TestCRDsInSync: the chart ships exactly the CRDs controller-gen generated.
func TestCRDsInSync(t *testing.T) {
	gen := yamlFiles(t, filepath.Join(root, "config", "crd", "bases"))
	chart := yamlFiles(t, filepath.Join(chartDir, "crds"))
	if len(gen) == 0 {
		t.Fatalf("no generated CRDs in config/crd/bases")
	}
	if diff := cmp.Diff(keys(gen), keys(chart)); diff != "" {
		t.Fatalf("chart crds/ and config/crd/bases hold different files (run make helm-sync) (-generated +chart):\n%s", diff)
	}
	for name, want := range gen {
		if !bytes.Equal(want, chart[name]) {
			t.Errorf("crds/%s differs from config/crd/bases/%s: run make helm-sync", name, name)
		}
	}
}

// TestValuesDocsInSync: values.schema.json and the README's table are what values.yaml
// generates, so every value is documented and validated.
func TestValuesDocsInSync(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := chartdoc.Parse(src)
	if err != nil {
		t.Fatalf("values.yaml: %v", err)
	}
	schema, err := v.Schema()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(schema, got) {
		t.Errorf("values.schema.json is out of date: run make helm-sync")
	}
	readme, err := os.ReadFile(filepath.Join(chartDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := chartdoc.UpdateReadme(readme, v.Table())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(readme)); diff != "" {
		t.Errorf("README values table is out of date (run make helm-sync) (-want +got):\n%s", diff)
	}
}

func yamlFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
