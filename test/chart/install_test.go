package chart

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
)

// TestInstallChart installs the rendered chart on a real API server by server-side apply,
// runs the manager as the installed Deployment would (its arguments and environment, its
// ServiceAccount's token, so the chart's RBAC is what authorizes it) and waits until the
// sample RoutingPolicy is Ready.
func TestInstallChart(t *testing.T) {
	cases := map[string]struct {
		values string
		// namespaces must exist before the install (a namespaced install's, the dashboard's).
		namespaces []string
		// crds are installed first (Prometheus Operator's, for the monitoring objects).
		crds string
	}{
		"cluster-wide": {values: ""},
		"namespaced":   {values: valueSets["watch-namespaces"], namespaces: []string{"shop"}},
		"monitoring": {
			values: valueSets["monitoring"], namespaces: []string{"monitoring"},
			crds: filepath.Join(root, "bin", "schemas", "monitoring-crds"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			manifest := mustTemplate(t, tc.values, "--include-crds")
			c := startCluster(t)
			for _, ns := range append([]string{namespace}, tc.namespaces...) {
				c.kubectl(t, nil, "create", "namespace", ns)
			}
			if tc.crds != "" {
				if _, err := os.Stat(tc.crds); err != nil {
					t.Fatalf("Prometheus Operator's CRDs are missing (%v): run make kubeconform-schemas", err)
				}
				c.kubectl(t, nil, "apply", "--server-side", "-f", tc.crds)
				c.waitEstablished(t, "servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com")
			}
			c.install(t, manifest)
			// Every rendered object is on the server.
			for _, o := range decode(t, manifest) {
				args := []string{"get", o.GetKind() + "." + o.GroupVersionKind().Group, o.GetName()}
				if o.GetNamespace() != "" {
					args = append(args, "-n", o.GetNamespace())
				}
				c.kubectl(t, nil, args...)
			}
			d, err := c.clientset.AppsV1().Deployments(namespace).Get(context.Background(), release, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("the chart's Deployment is not on the server: %v", err)
			}
			m := c.runManager(t, d)
			checkSecureMetrics(t, c, m, release+"-metrics-reader")
			c.applySamples(t)
			c.waitPolicyReady(t, m, "shop", "main")
			checkDispatcherServiceMonitor(t, c, "shop")
			if len(d.Spec.Template.Spec.Containers[0].Args) > 0 && slices.ContainsFunc(d.Spec.Template.Spec.Containers[0].Args, func(a string) bool { return strings.HasPrefix(a, "--watch-namespace=") }) {
				sa := "--as=system:serviceaccount:" + namespace + ":" + d.Spec.Template.Spec.ServiceAccountName
				if out := c.canI(t, "list", "routingpolicies.dropship.dev", "-n", "shop", sa); out != "yes" {
					t.Errorf("the manager may not list RoutingPolicies in its watched namespace: %s", out)
				}
				if out := c.canI(t, "list", "routingpolicies.dropship.dev", "-n", "default", sa); out != "no" {
					t.Errorf("a namespaced manager may list RoutingPolicies outside its namespace: %s", out)
				}
			}
		})
	}
}

// TestInstallManifest builds dist/install.yaml with make build-installer, validates it
// offline, applies it with one server-side apply and runs the manager the same way.
func TestInstallManifest(t *testing.T) {
	const img = "registry.example.com/dropship-operator:test"
	if _, err := run("make", "build-installer", "IMG="+img); err != nil {
		t.Fatalf("make build-installer: %v", err)
	}
	manifest, err := os.ReadFile(filepath.Join(root, "dist", "install.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, manifest)
	if s := kubeconform(t, manifest); s.Valid != len(objs) || s.Invalid+s.Errors+s.Skipped != 0 {
		t.Errorf("kubeconform dist/install.yaml: %+v for %d objects", s, len(objs))
	}
	deps := kinds(objs, "Deployment")
	if len(deps) != 1 {
		t.Fatalf("want one Deployment in dist/install.yaml, got %d", len(deps))
	}
	var d appsv1.Deployment
	into(t, deps[0], &d)
	if got := d.Spec.Template.Spec.Containers[0].Image; got != img {
		t.Errorf("manager image: got %q, want %q", got, img)
	}
	if got, _ := argValue(d.Spec.Template.Spec.Containers[0].Args, "dispatcher-image"); got != img {
		t.Errorf("--dispatcher-image: got %q, want the installer's image %q", got, img)
	}
	if len(kinds(objs, "CustomResourceDefinition")) != 3 || len(kinds(objs, "Namespace")) != 1 {
		t.Errorf("dist/install.yaml must carry the three CRDs and the namespace")
	}

	c := startCluster(t)
	c.install(t, manifest)
	installed, err := c.clientset.AppsV1().Deployments(d.Namespace).Get(context.Background(), d.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the installer's Deployment is not on the server: %v", err)
	}
	m := c.runManager(t, installed)
	reader := ""
	for _, cr := range kinds(objs, "ClusterRole") {
		if strings.HasSuffix(cr.GetName(), "metrics-reader") {
			reader = cr.GetName()
		}
	}
	if reader == "" {
		t.Errorf("dist/install.yaml has no metrics-reader ClusterRole")
	} else {
		checkSecureMetrics(t, c, m, reader)
	}
	c.applySamples(t)
	c.waitPolicyReady(t, m, "shop", "main")
}

// checkSecureMetrics: the manager's metrics refuse anonymous scrapes and serve a scraper
// bound to the metrics-reader ClusterRole (authenticated by TokenReview, authorized by
// SubjectAccessReview: the metrics-auth rules at work).
func checkSecureMetrics(t *testing.T, c *cluster, m *manager, readerRole string) {
	t.Helper()
	if code, _ := m.scrape(t, ""); code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Errorf("anonymous scrape: got %d, want 401 or 403", code)
	}
	c.kubectl(t, nil, "create", "namespace", "scrapers")
	c.kubectl(t, nil, "-n", "scrapers", "create", "serviceaccount", "intruder")
	if code, _ := m.scrape(t, c.token(t, "scrapers", "intruder")); code != http.StatusForbidden {
		t.Errorf("scrape by an unbound ServiceAccount: got %d, want 403", code)
	}
	// A distinct ServiceAccount: the manager caches denials for a while.
	c.kubectl(t, nil, "-n", "scrapers", "create", "serviceaccount", "prometheus")
	c.kubectl(t, nil, "create", "clusterrolebinding", "prometheus-metrics", "--clusterrole="+readerRole, "--serviceaccount=scrapers:prometheus")
	// Scrape once the API server's RBAC sees the binding (a denial would be cached).
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if c.canI(t, "get", "/metrics", "--as=system:serviceaccount:scrapers:prometheus") == "yes" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the metrics-reader binding did not take effect")
		}
	}
	code, body := m.scrape(t, c.token(t, "scrapers", "prometheus"))
	if code != http.StatusOK || !strings.Contains(body, "controller_runtime_") {
		t.Errorf("scrape by the metrics reader: got %d, want 200 with controller-runtime metrics; body starts %.200q", code, body)
	}
}

// checkDispatcherServiceMonitor: the chart's dispatcher ServiceMonitor selects the Service
// the operator really rendered for the sample policy, by its labels and port name, and the
// policy label it relabels from is there.
func checkDispatcherServiceMonitor(t *testing.T, c *cluster, ns string) {
	t.Helper()
	sm := find(decode(t, mustTemplate(t, valueSets["monitoring"])), "ServiceMonitor", namespace, release+"-dispatchers")
	if sm == nil {
		t.Fatalf("no dispatcher ServiceMonitor rendered")
	}
	sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	eps, _, _ := unstructuredSlice(sm.Object, "spec", "endpoints")
	svcs, err := c.clientset.CoreV1().Services(ns).List(context.Background(), metav1.ListOptions{LabelSelector: labels.SelectorFromSet(sel).String()})
	if err != nil {
		t.Fatal(err)
	}
	if len(svcs.Items) != 1 {
		t.Fatalf("the dispatcher ServiceMonitor's selector %v matches %d Services in %s, want the sample policy's one", sel, len(svcs.Items), ns)
	}
	svc := svcs.Items[0]
	if svc.Labels["dropship.dev/policy"] != "main" {
		t.Errorf("dispatcher Service %s lacks the dropship.dev/policy label the ServiceMonitor relabels: %v", svc.Name, svc.Labels)
	}
	ports := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		ports[p.Name] = true
	}
	if len(eps) != 1 || !ports[eps[0]["port"].(string)] {
		t.Errorf("the ServiceMonitor scrapes port %v; the dispatcher Service has %v", eps, ports)
	}
}
