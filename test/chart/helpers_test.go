// Package chart tests the Helm chart and the kustomize installer: lint, render, validate
// offline with kubeconform against Kubernetes 1.37 and our CRDs, keep in step with the
// generated CRDs, RBAC and values documentation, and install on a real API server with the
// manager running under the installed ServiceAccount.
//
// The tools come from bin/ (make chart-tools builds them); a missing tool fails the tests.
package chart

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

const (
	release     = "dropship-operator"
	namespace   = "dropship-system"
	kubeVersion = "1.37.2"
)

func TestMain(m *testing.M) {
	// envtest logs through controller-runtime; the tests print what matters themselves.
	ctrllog.SetLogger(logr.Discard())
	code := m.Run()
	if managerBin != "" {
		_ = os.RemoveAll(filepath.Dir(managerBin))
	}
	os.Exit(code)
}

// root is the repository's top directory.
var root = func() string {
	p, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return p
}()

var chartDir = filepath.Join(root, "charts", "dropship-operator")

// valueSets are the configurations every test renders: the defaults and each ci/ file.
var valueSets = map[string]string{
	"default":          "",
	"watch-namespaces": "ci/watch-namespaces-values.yaml",
	"monitoring":       "ci/monitoring-values.yaml",
	"custom":           "ci/custom-values.yaml",
}

// tool returns the path of a tool in bin/, failing the test when it is missing.
func tool(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(root, "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing (%v): run `make chart-tools` first", p, err)
	}
	return p
}

// run executes a command in the repository and returns its stdout; stderr goes into err.
func run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), errors.New(err.Error() + ": " + stderr.String() + stdout.String())
	}
	return stdout.Bytes(), nil
}

// helmTemplate renders the chart with a values file (relative to the chart) and extra args.
func helmTemplate(t *testing.T, valuesFile string, args ...string) ([]byte, error) {
	t.Helper()
	a := []string{"template", release, chartDir, "--namespace", namespace, "--kube-version", kubeVersion}
	if valuesFile != "" {
		a = append(a, "-f", filepath.Join(chartDir, valuesFile))
	}
	return run(tool(t, "helm"), append(a, args...)...)
}

// mustTemplate is helmTemplate that fails the test on error.
func mustTemplate(t *testing.T, valuesFile string, args ...string) []byte {
	t.Helper()
	out, err := helmTemplate(t, valuesFile, args...)
	if err != nil {
		t.Fatalf("helm template -f %q %v: %v", valuesFile, args, err)
	}
	return out
}

// decode splits a multi-document YAML stream into objects.
func decode(t *testing.T, manifest []byte) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifest), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("cannot decode the manifest: %v", err)
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

// find returns the object of a kind and name (namespace ignored when empty), or nil.
func find(objs []*unstructured.Unstructured, kind, ns, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name && (ns == "" || o.GetNamespace() == ns) {
			return o
		}
	}
	return nil
}

// kinds lists "Kind/namespace/name" of every object.
func kinds(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// into converts an object into a typed one.
func into(t *testing.T, o *unstructured.Unstructured, typed any) {
	t.Helper()
	if o == nil {
		t.Fatalf("object not rendered")
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, typed); err != nil {
		t.Fatalf("cannot convert %s %s: %v", o.GetKind(), o.GetName(), err)
	}
}

// argValue returns the value of --name=value in args, and whether it is there.
func argValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}
