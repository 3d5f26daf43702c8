package chart

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelmLintStrict(t *testing.T) {
	for name, values := range valueSets {
		t.Run(name, func(t *testing.T) {
			args := []string{"lint", "--strict", chartDir, "--kube-version", kubeVersion}
			if values != "" {
				args = append(args, "-f", filepath.Join(chartDir, values))
			}
			out, err := run(tool(t, "helm"), args...)
			if err != nil {
				t.Fatalf("helm lint --strict failed: %v", err)
			}
			if !strings.Contains(string(out), "0 chart(s) failed") {
				t.Errorf("helm lint did not pass:\n%s", out)
			}
		})
	}
}

// TestSchemaRefusesBadValues proves values.schema.json is enforced: each of these must fail.
func TestSchemaRefusesBadValues(t *testing.T) {
	cases := map[string]struct {
		reason string
		set    string
	}{
		"unknown key":         {reason: "a typo must not pass silently", set: "replicaCont=2"},
		"unknown nested key":  {reason: "nested maps are closed too", set: "image.registry=example.com"},
		"log level":           {reason: "only zap's levels exist", set: "logLevel=verbose"},
		"pull policy":         {reason: "Kubernetes' enum", set: "image.pullPolicy=Sometimes"},
		"no replicas":         {reason: "at least one manager", set: "replicaCount=0"},
		"privileged port":     {reason: "the manager runs as non-root", set: "metrics.port=443"},
		"bad digest":          {reason: "digests are sha256", set: "image.digest=latest"},
		"watch namespace":     {reason: "a list of names", set: "watchNamespaces=shop"},
		"two namespaces":      {reason: "the manager watches one namespace", set: "watchNamespaces={shop,shop-staging}"},
		"service type":        {reason: "Service types are an enum", set: "metrics.service.type=Ingress"},
		"interval":            {reason: "Prometheus durations", set: "metrics.serviceMonitor.interval=fast"},
		"leader election int": {reason: "booleans are booleans", set: "leaderElection.enabled=1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := helmTemplate(t, "", "--set", tc.set)
			if err == nil {
				t.Fatalf("helm template --set %s succeeded; want a schema error (%s)", tc.set, tc.reason)
			}
			if !strings.Contains(err.Error(), "schema") {
				t.Errorf("helm template --set %s failed, but not on the schema: %v", tc.set, err)
			}
		})
	}
}

// TestKubeconform validates every rendered object, CRDs included, against the Kubernetes
// 1.37 schemas and those of our CRDs and Prometheus Operator's, in strict mode.
func TestKubeconform(t *testing.T) {
	for name, values := range valueSets {
		t.Run(name, func(t *testing.T) {
			manifest := mustTemplate(t, values, "--include-crds")
			objs := decode(t, manifest)
			s := kubeconform(t, manifest)
			if s.Invalid != 0 || s.Errors != 0 || s.Skipped != 0 || s.Valid != len(objs) {
				t.Errorf("kubeconform: %+v for %d objects", s, len(objs))
			}
		})
	}
}

// TestKubeconformSamples validates config/samples against the generated CRD schemas: the
// strict schemas must accept what the API server accepts.
func TestKubeconformSamples(t *testing.T) {
	samples, err := run(tool(t, "kustomize"), "build", "config/samples")
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, samples)
	if s := kubeconform(t, samples); s.Valid != len(objs) || s.Invalid+s.Errors+s.Skipped != 0 {
		t.Errorf("kubeconform config/samples: %+v for %d objects", s, len(objs))
	}
}

// TestKubeconformIsStrict proves the schemas catch what the API server would refuse, so
// that TestKubeconform can fail.
func TestKubeconformIsStrict(t *testing.T) {
	cases := map[string]string{
		"unknown field": "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{port: 80, targetPrt: 8080}]\n",
		"wrong type":    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: \"two\"\n  selector: {}\n  template: {}\n",
		"our CRD":       "apiVersion: dropship.dev/v1alpha1\nkind: RoutingPolicy\nmetadata: {name: x}\nspec:\n  noSuchField: true\n",
		"unknown kind":  "apiVersion: dropship.dev/v1alpha1\nkind: Shipment\nmetadata: {name: x}\n",
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			s := kubeconform(t, []byte(doc))
			if s.Valid != 0 || s.Invalid+s.Errors != 1 {
				t.Errorf("kubeconform accepted an invalid object: %+v", s)
			}
		})
	}
}

type kubeconformSummary struct {
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
	Errors  int `json:"errors"`
	Skipped int `json:"skipped"`
}

// kubeconform validates a manifest offline and returns its summary.
func kubeconform(t *testing.T, manifest []byte) kubeconformSummary {
	t.Helper()
	schemas := filepath.Join(root, "bin", "schemas")
	if _, err := os.Stat(filepath.Join(schemas, ".stamp")); err != nil {
		t.Fatalf("no offline schemas in %s (%v): run `make kubeconform-schemas`", schemas, err)
	}
	f := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(f, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(tool(t, "kubeconform"), "-strict", "-summary", "-output", "json",
		"-kubernetes-version", kubeVersion,
		"-schema-location", filepath.Join(schemas, "k8s", "{{ .ResourceKind }}{{ .KindSuffix }}.json"),
		"-schema-location", filepath.Join(schemas, "crds", "{{ .ResourceKind }}{{ .KindSuffix }}.json"),
		f)
	var res struct {
		Resources []struct {
			Kind, Name, Status, Msg string
		} `json:"resources"`
		Summary kubeconformSummary `json:"summary"`
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		t.Fatalf("cannot read kubeconform's output (%v; exit: %v):\n%s", jerr, err, out)
	}
	for _, r := range res.Resources {
		if r.Status != "statusValid" {
			t.Logf("kubeconform: %s %s: %s %s", r.Kind, r.Name, r.Status, r.Msg)
		}
	}
	return res.Summary
}

// TestDocsManifestsAreValid validates the YAML examples of the install and security docs
// (the NetworkPolicy among them) as strictly as the chart.
func TestDocsManifestsAreValid(t *testing.T) {
	for _, doc := range []string{"security.md"} {
		raw, err := os.ReadFile(filepath.Join(root, "docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		blocks := strings.Split(string(raw), "```yaml\n")[1:]
		if len(blocks) == 0 {
			t.Fatalf("%s has no YAML example", doc)
		}
		for i, b := range blocks {
			manifest := []byte(strings.SplitN(b, "```", 2)[0])
			if s := kubeconform(t, manifest); s.Valid != len(decode(t, manifest)) || s.Invalid+s.Errors+s.Skipped != 0 {
				t.Errorf("%s, YAML example %d: %+v", doc, i+1, s)
			}
		}
	}
}
