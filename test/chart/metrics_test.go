package chart

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestMonitoringUsesExportedMetrics: every dropship_ metric in the PrometheusRule and the
// dashboard is one the dispatcher's Go code registers (histogram series suffixes aside).
func TestMonitoringUsesExportedMetrics(t *testing.T) {
	exported := exportedMetrics(t)
	if len(exported) == 0 {
		t.Fatalf("found no dropship_ metrics in dispatcher/")
	}
	rendered := mustTemplate(t, valueSets["monitoring"])
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\bdropship_[a-z_]+`).FindAllString(string(rendered), -1) {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			m = strings.TrimSuffix(m, suffix)
		}
		used[m] = true
	}
	var missing []string
	for m := range used {
		if !exported[m] {
			missing = append(missing, m)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the alerts or the dashboard use metrics the dispatcher does not export: %v\nexported: %v", missing, keysOf(exported))
	}
}

// exportedMetrics collects the "dropship_…" string literals of dispatcher/ (non-test) Go files.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	re := regexp.MustCompile(`"(dropship_[a-z_]+)"`)
	out := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(root, "dispatcher"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			out[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
