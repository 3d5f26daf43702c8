package chart

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func deployment(t *testing.T, manifest []byte, name string) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	into(t, find(decode(t, manifest), "Deployment", namespace, name), &d)
	return &d
}

// TestDefaults checks the hardening and wiring every install gets.
func TestDefaults(t *testing.T) {
	manifest := mustTemplate(t, "")
	objs := decode(t, manifest)
	d := deployment(t, manifest, release)
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]

	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context: want runAsNonRoot and seccomp RuntimeDefault, got %+v", psc)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container security context: want read-only root, no privilege escalation, drop ALL; got %+v", sc)
	}
	if c.Image != "ghcr.io/dropship-operator/dropship-operator:0.1.0" {
		t.Errorf("image: got %q, want the appVersion tag", c.Image)
	}
	wantArgs := map[string]string{
		"leader-elect":              "true",
		"metrics-bind-address":      ":8443",
		"metrics-secure":            "true",
		"health-probe-bind-address": ":8081",
		"dispatcher-image":          "ghcr.io/dropship-operator/dropship-operator:0.1.0",
		"zap-log-level":             "info",
		"zap-encoder":               "json",
	}
	for k, want := range wantArgs {
		if got, ok := argValue(c.Args, k); !ok || got != want {
			t.Errorf("--%s: got %q (present %v), want %q", k, got, ok, want)
		}
	}
	if _, ok := argValue(c.Args, "watch-namespace"); ok {
		t.Errorf("--watch-namespace set although watchNamespaces is empty")
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" ||
		c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("probes: got liveness %+v readiness %+v", c.LivenessProbe, c.ReadinessProbe)
	}
	if pod.ServiceAccountName != release {
		t.Errorf("serviceAccountName: got %q", pod.ServiceAccountName)
	}
	if find(objs, "ServiceAccount", namespace, release) == nil {
		t.Errorf("no ServiceAccount")
	}

	var svc corev1.Service
	into(t, find(objs, "Service", namespace, release+"-metrics"), &svc)
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 8443 || svc.Spec.Ports[0].TargetPort.StrVal != "metrics" {
		t.Errorf("metrics Service ports: %+v", svc.Spec.Ports)
	}
	if diff := cmp.Diff(d.Spec.Selector.MatchLabels, svc.Spec.Selector); diff != "" {
		t.Errorf("the metrics Service does not select the manager pods (-deployment +service):\n%s", diff)
	}

	var crb rbacv1.ClusterRoleBinding
	into(t, find(objs, "ClusterRoleBinding", "", release+"-manager"), &crb)
	if crb.RoleRef.Name != release+"-manager" || len(crb.Subjects) != 1 || crb.Subjects[0].Name != release || crb.Subjects[0].Namespace != namespace {
		t.Errorf("manager ClusterRoleBinding: %+v", crb)
	}
	for _, name := range []string{release + "-manager", release + "-metrics-auth", release + "-metrics-reader"} {
		if find(objs, "ClusterRole", "", name) == nil {
			t.Errorf("ClusterRole %s not rendered", name)
		}
	}
	if find(objs, "Role", namespace, release+"-leader-election") == nil {
		t.Errorf("leader election Role not rendered")
	}
	for _, kind := range []string{"ServiceMonitor", "PrometheusRule", "ConfigMap"} {
		if n := len(kinds(objs, kind)); n != 0 {
			t.Errorf("%d %s rendered although monitoring is off", n, kind)
		}
	}
}

func TestWatchNamespaces(t *testing.T) {
	objs := decode(t, mustTemplate(t, valueSets["watch-namespaces"]))
	var d appsv1.Deployment
	into(t, find(objs, "Deployment", namespace, release), &d)
	if got, _ := argValue(d.Spec.Template.Spec.Containers[0].Args, "watch-namespace"); got != "shop" {
		t.Errorf("--watch-namespace: got %q, want shop", got)
	}
	if find(objs, "ClusterRole", "", release+"-manager") != nil || find(objs, "ClusterRoleBinding", "", release+"-manager") != nil {
		t.Errorf("a namespaced install must not grant the manager cluster-wide rights")
	}
	for _, ns := range []string{"shop"} {
		var rb rbacv1.RoleBinding
		into(t, find(objs, "RoleBinding", ns, release+"-manager"), &rb)
		if rb.RoleRef.Kind != "Role" || rb.Subjects[0].Namespace != namespace || rb.Subjects[0].Name != release {
			t.Errorf("RoleBinding in %s: %+v", ns, rb)
		}
		if find(objs, "Role", ns, release+"-manager") == nil {
			t.Errorf("no manager Role in %s", ns)
		}
	}
}

func TestMonitoring(t *testing.T) {
	objs := decode(t, mustTemplate(t, valueSets["monitoring"]))
	sms := kinds(objs, "ServiceMonitor")
	if len(sms) != 2 {
		t.Fatalf("want ServiceMonitors for the manager and the dispatchers, got %d", len(sms))
	}
	for _, sm := range sms {
		if sm.GetLabels()["release"] != "kube-prometheus-stack" {
			t.Errorf("ServiceMonitor %s lacks the extra labels: %v", sm.GetName(), sm.GetLabels())
		}
	}
	mgr := find(objs, "ServiceMonitor", namespace, release+"-manager")
	ep, _, _ := unstructuredSlice(mgr.Object, "spec", "endpoints")
	if len(ep) != 1 || ep[0]["scheme"] != "https" || ep[0]["port"] != "https-metrics" || ep[0]["interval"] != "15s" {
		t.Errorf("manager ServiceMonitor endpoint: %v", ep)
	}

	rule := find(objs, "PrometheusRule", namespace, release)
	if rule == nil {
		t.Fatalf("no PrometheusRule")
	}
	groups, _, _ := unstructuredSlice(rule.Object, "spec", "groups")
	var alerts []string
	for _, g := range groups {
		for _, r := range g["rules"].([]any) {
			r := r.(map[string]any)
			alerts = append(alerts, r["alert"].(string))
			if r["labels"].(map[string]any)["severity"] != "critical" {
				t.Errorf("alert %s: severity %v, want critical", r["alert"], r["labels"])
			}
			if strings.Contains(r["expr"].(string), "{{") {
				t.Errorf("alert %s: unrendered template in expr %q", r["alert"], r["expr"])
			}
		}
	}
	want := []string{"DropshipDispatcherDown", "DropshipSupplierEjected", "DropshipBacklogGrowing", "DropshipDeadLettersRising"}
	if diff := cmp.Diff(want, alerts); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}

	var cm corev1.ConfigMap
	into(t, find(objs, "ConfigMap", "monitoring", release+"-dashboard"), &cm)
	if cm.Labels["grafana_dashboard"] != "1" || cm.Annotations["grafana_folder"] != "Dropship" {
		t.Errorf("dashboard ConfigMap metadata: labels %v annotations %v", cm.Labels, cm.Annotations)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal([]byte(cm.Data["dropship.json"]), &dash); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	for _, metric := range []string{"dropship_supplier_requests_total", "dropship_supplier_request_duration_seconds_bucket", "dropship_supplier_effective_weight", "dropship_backlog"} {
		found := false
		for _, p := range dash.Panels {
			for _, tg := range p.Targets {
				found = found || strings.Contains(tg.Expr, metric)
			}
		}
		if !found {
			t.Errorf("no dashboard panel plots %s", metric)
		}
	}
}

func TestCustomValues(t *testing.T) {
	objs := decode(t, mustTemplate(t, valueSets["custom"]))
	var d appsv1.Deployment
	into(t, find(objs, "Deployment", namespace, "dropship"), &d)
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if want := "registry.example.com/platform/dropship-operator@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"; c.Image != want {
		t.Errorf("image: got %q, want %q", c.Image, want)
	}
	if c.ImagePullPolicy != corev1.PullAlways || *d.Spec.Replicas != 2 {
		t.Errorf("pullPolicy %q replicas %d", c.ImagePullPolicy, *d.Spec.Replicas)
	}
	if got, _ := argValue(c.Args, "dispatcher-image"); got != "registry.example.com/platform/dropship-operator:0.1.0-dispatcher" {
		t.Errorf("--dispatcher-image: %q", got)
	}
	if got, _ := argValue(c.Args, "zap-log-level"); got != "debug" {
		t.Errorf("--zap-log-level: %q", got)
	}
	if !slices.Contains(c.Args, "--zap-stacktrace-level=error") {
		t.Errorf("extraArgs not passed: %v", c.Args)
	}
	if !c.Resources.Limits.Memory().Equal(resource.MustParse("512Mi")) || !c.Resources.Requests.Cpu().Equal(resource.MustParse("100m")) {
		t.Errorf("resources: %+v", c.Resources)
	}
	if pod.Affinity == nil || pod.Affinity.PodAntiAffinity == nil || len(pod.Tolerations) != 1 || pod.NodeSelector["kubernetes.io/os"] != "linux" {
		t.Errorf("placement: affinity %+v tolerations %+v nodeSelector %v", pod.Affinity, pod.Tolerations, pod.NodeSelector)
	}
	if pod.PriorityClassName != "system-cluster-critical" || len(pod.ImagePullSecrets) != 1 || pod.ImagePullSecrets[0].Name != "registry-cred" {
		t.Errorf("priorityClassName %q imagePullSecrets %v", pod.PriorityClassName, pod.ImagePullSecrets)
	}
	if d.Spec.Template.Labels["team"] != "platform" || d.Spec.Template.Annotations["example.com/team"] != "platform" {
		t.Errorf("pod labels %v annotations %v", d.Spec.Template.Labels, d.Spec.Template.Annotations)
	}
	if d.Spec.Selector.MatchLabels["team"] != "" {
		t.Errorf("podLabels leaked into the immutable selector")
	}
	if pod.ServiceAccountName != "dropship-manager" {
		t.Errorf("serviceAccountName %q", pod.ServiceAccountName)
	}
	sa := find(objs, "ServiceAccount", namespace, "dropship-manager")
	if sa == nil || sa.GetAnnotations()["iam.example.com/role"] != "dropship" {
		t.Errorf("ServiceAccount dropship-manager with its annotation not rendered")
	}
}

func unstructuredSlice(obj map[string]any, fields ...string) ([]map[string]any, bool, error) {
	cur := any(obj)
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[f]
	}
	list, ok := cur.([]any)
	if !ok {
		return nil, false, nil
	}
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, true, nil
}

// TestBringYourOwnIdentity: with rbac.create and serviceAccount.create off, the chart
// renders neither, and insists on the name of the ServiceAccount to run as.
func TestBringYourOwnIdentity(t *testing.T) {
	if _, err := helmTemplate(t, "", "--set", "serviceAccount.create=false"); err == nil || !strings.Contains(err.Error(), "serviceAccount.name is required") {
		t.Errorf("serviceAccount.create=false without a name: got %v, want the required-name error", err)
	}
	objs := decode(t, mustTemplate(t, "", "--set", "serviceAccount.create=false", "--set", "serviceAccount.name=platform-operator", "--set", "rbac.create=false"))
	for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"} {
		if n := len(kinds(objs, kind)); n != 0 {
			t.Errorf("%d %s rendered although creation is off", n, kind)
		}
	}
	var d appsv1.Deployment
	into(t, find(objs, "Deployment", namespace, release), &d)
	if d.Spec.Template.Spec.ServiceAccountName != "platform-operator" {
		t.Errorf("serviceAccountName: got %q", d.Spec.Template.Spec.ServiceAccountName)
	}
}
