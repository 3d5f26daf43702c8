package controllers

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testInput is a policy with a K3Cloud source and two suppliers, one of them with an
// HMAC-authenticated HTTP endpoint.
func testInput(mut ...func(*dispatcherInput)) *dispatcherInput {
	c := &config.DispatcherConfig{
		Policy: config.PolicyRef{Namespace: "shop", Name: "main", Generation: 3},
		Source: config.Source{Name: "kingdee-main", K3Cloud: &config.K3CloudSource{
			K3CloudConnection: config.K3CloudConnection{
				URL: "https://erp.example.com/k3cloud/", AcctID: "64a1b2c3d4e5f6", LCID: 2052,
				Auth: config.K3CloudAuth{Mode: config.K3CloudAuthSignature, CredentialsDir: SecretDir("kingdee-cred")},
			},
			SalesOrders:    config.SalesOrderQuery{Filter: "F_DropShip = 1"},
			PurchaseOrders: config.PurchaseOrders{Enabled: true},
		}},
		Suppliers: []config.Supplier{
			{Name: "supplier-a", HTTP: &config.HTTPEndpoint{
				URL:  "https://api.supplier-a.example/v1/orders",
				Auth: config.HTTPAuth{Type: config.HTTPAuthHMAC, SecretDir: SecretDir("supplier-a-cred")},
			}, Regions: []string{"广东省"}},
			{Name: "supplier-b", HTTP: &config.HTTPEndpoint{URL: "https://b.example/orders"}, Regions: []string{"*"}},
		},
		Rules: []config.Rule{{Name: "all", Tiers: []config.Tier{{Suppliers: []config.WeightedSupplier{
			{Name: "supplier-a", Weight: 70}, {Name: "supplier-b", Weight: 30},
		}}}}},
		Store:     config.Store{Type: config.StoreSQLite, Path: SQLitePath},
		Reporting: config.Reporting{Enabled: true, LeaseName: "main-dispatcher"},
	}
	c.Default()
	in := &dispatcherInput{
		Namespace: "shop", Name: "main", UID: "uid-1",
		Config:   c,
		Secrets:  []string{"supplier-a-cred", "kingdee-cred"},
		Replicas: 1,
		Image:    "ghcr.io/dropship-operator/dropship-operator:v0.1.0",
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
		},
		NodeSelector:   map[string]string{"kubernetes.io/os": "linux"},
		Tolerations:    []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "dropship", Effect: corev1.TaintEffectNoSchedule}},
		PodAnnotations: map[string]string{"prometheus.io/scrape": "true"},
	}
	for _, m := range mut {
		m(in)
	}
	return in
}

func postgres(in *dispatcherInput) {
	in.Config.Store = config.Store{Type: config.StorePostgres, DSNFile: SecretDir("pg") + "/dsn"}
	in.DSNSecret = "pg"
	in.Replicas = 3
}

func TestGolden(t *testing.T) {
	w, err := renderWorkload(testInput())
	if err != nil {
		t.Fatal(err)
	}
	var dep *appsv1.Deployment
	for _, o := range w.Objects {
		if d, ok := o.(*appsv1.Deployment); ok {
			dep = d
		}
	}
	cases := map[string]any{"configmap": w.ConfigMap, "deployment": dep}
	for name, obj := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := yaml.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden.yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("cannot read golden file (run go test ./controllers -run TestGolden -update): %v", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", name, golden, d)
			}
		})
	}
}

func TestRenderDeployment(t *testing.T) {
	type want struct {
		replicas int32
		strategy appsv1.DeploymentStrategyType
		mounts   map[string]string // volume mount path -> volume kind
	}
	cases := map[string]struct {
		reason string
		in     *dispatcherInput
		want   want
	}{
		"sqlite": {
			reason: "SQLite runs one replica with Recreate, whatever the spec asks, and mounts its PVC",
			in:     testInput(func(in *dispatcherInput) { in.Replicas = 4 }),
			want: want{replicas: 1, strategy: appsv1.RecreateDeploymentStrategyType, mounts: map[string]string{
				ConfigDir: "configMap", "/tmp": "emptyDir", DataDir: "pvc",
				SecretDir("kingdee-cred"): "secret", SecretDir("supplier-a-cred"): "secret",
			}},
		},
		"postgres": {
			reason: "Postgres runs N replicas with rolling updates, mounts the DSN secret and no PVC",
			in:     testInput(postgres),
			want: want{replicas: 3, strategy: appsv1.RollingUpdateDeploymentStrategyType, mounts: map[string]string{
				ConfigDir: "configMap", "/tmp": "emptyDir",
				SecretDir("kingdee-cred"): "secret", SecretDir("supplier-a-cred"): "secret", SecretDir("pg"): "secret",
			}},
		},
		"suspended": {
			reason: "a suspended policy scales its dispatcher to zero",
			in:     testInput(postgres, func(in *dispatcherInput) { in.Suspend = true }),
			want: want{replicas: 0, strategy: appsv1.RollingUpdateDeploymentStrategyType, mounts: map[string]string{
				ConfigDir: "configMap", "/tmp": "emptyDir",
				SecretDir("kingdee-cred"): "secret", SecretDir("supplier-a-cred"): "secret", SecretDir("pg"): "secret",
			}},
		},
		"duplicate secrets": {
			reason: "a Secret used by two suppliers is mounted once",
			in: testInput(func(in *dispatcherInput) {
				in.Secrets = []string{"shared", "shared", "kingdee-cred"}
			}),
			want: want{replicas: 1, strategy: appsv1.RecreateDeploymentStrategyType, mounts: map[string]string{
				ConfigDir: "configMap", "/tmp": "emptyDir", DataDir: "pvc",
				SecretDir("kingdee-cred"): "secret", SecretDir("shared"): "secret",
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := renderDeployment(tc.in, "h")
			if got := *d.Spec.Replicas; got != tc.want.replicas {
				t.Errorf("%s: replicas = %d, want %d", tc.reason, got, tc.want.replicas)
			}
			if got := d.Spec.Strategy.Type; got != tc.want.strategy {
				t.Errorf("%s: strategy = %s, want %s", tc.reason, got, tc.want.strategy)
			}
			pod := d.Spec.Template.Spec
			vols := map[string]corev1.Volume{}
			for _, v := range pod.Volumes {
				vols[v.Name] = v
			}
			got := map[string]string{}
			c := pod.Containers[0]
			for _, m := range c.VolumeMounts {
				v, ok := vols[m.Name]
				if !ok {
					t.Fatalf("mount %s names missing volume %s", m.MountPath, m.Name)
				}
				switch {
				case v.ConfigMap != nil:
					got[m.MountPath] = "configMap"
				case v.EmptyDir != nil:
					got[m.MountPath] = "emptyDir"
				case v.PersistentVolumeClaim != nil:
					got[m.MountPath] = "pvc"
				case v.Secret != nil:
					got[m.MountPath] = "secret"
					if !m.ReadOnly {
						t.Errorf("secret %s is mounted writable", v.Secret.SecretName)
					}
					if SecretDir(v.Secret.SecretName) != m.MountPath {
						t.Errorf("secret %s mounted at %s", v.Secret.SecretName, m.MountPath)
					}
				}
				if len(validation.IsDNS1123Label(m.Name)) != 0 {
					t.Errorf("volume name %q is not a DNS-1123 label", m.Name)
				}
			}
			if len(vols) != len(c.VolumeMounts) {
				t.Errorf("%d volumes for %d mounts", len(vols), len(c.VolumeMounts))
			}
			if d := cmp.Diff(tc.want.mounts, got); d != "" {
				t.Errorf("%s: mounts (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}

func TestRenderDeploymentSpecPassThrough(t *testing.T) {
	in := testInput()
	d := renderDeployment(in, "abc")
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if d := cmp.Diff(in.Resources, c.Resources); d != "" {
		t.Errorf("resources (-spec +rendered):\n%s", d)
	}
	if d := cmp.Diff(in.NodeSelector, pod.NodeSelector); d != "" {
		t.Errorf("nodeSelector (-spec +rendered):\n%s", d)
	}
	if d := cmp.Diff(in.Tolerations, pod.Tolerations); d != "" {
		t.Errorf("tolerations (-spec +rendered):\n%s", d)
	}
	wantAnn := map[string]string{"prometheus.io/scrape": "true", AnnotationConfig: "abc"}
	if d := cmp.Diff(wantAnn, d.Spec.Template.Annotations); d != "" {
		t.Errorf("pod annotations (-want +got):\n%s", d)
	}
	if _, ok := in.PodAnnotations[AnnotationConfig]; ok {
		t.Error("rendering changed the input's pod annotations")
	}
	if c.Image != in.Image {
		t.Errorf("image = %q, want %q", c.Image, in.Image)
	}
	if d := cmp.Diff([]string{"dispatcher", "--config", ConfigPath}, c.Command); d != "" {
		t.Errorf("command (-want +got):\n%s", d)
	}
	sc := c.SecurityContext
	if !*sc.RunAsNonRoot || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation ||
		len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" ||
		sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault || !*pod.SecurityContext.RunAsNonRoot {
		t.Errorf("container is not hardened: %+v", sc)
	}
	if c.LivenessProbe.HTTPGet.Path != "/healthz" || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("probes = %s, %s", c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.ValueFrom.FieldRef.FieldPath
	}
	if d := cmp.Diff(map[string]string{"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace"}, env); d != "" {
		t.Errorf("env (-want +got):\n%s", d)
	}
}

func TestConfigHash(t *testing.T) {
	base, err := renderWorkload(testInput())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		mut      func(*dispatcherInput)
		wantSame bool
	}{
		"same input":          {mut: func(*dispatcherInput) {}, wantSame: true},
		"workload-only field": {mut: func(in *dispatcherInput) { in.Image = "other:v2" }, wantSame: true},
		"supplier weight":     {mut: func(in *dispatcherInput) { in.Config.Rules[0].Tiers[0].Suppliers[0].Weight = 71 }},
		"supplier url":        {mut: func(in *dispatcherInput) { in.Config.Suppliers[1].HTTP.URL = "https://b2.example/orders" }},
		"source filter":       {mut: func(in *dispatcherInput) { in.Config.Source.K3Cloud.SalesOrders.Filter = "" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := testInput(tc.mut)
			w, err := renderWorkload(in)
			if err != nil {
				t.Fatal(err)
			}
			if same := w.ConfigHash == base.ConfigHash; same != tc.wantSame {
				t.Errorf("hash same = %v, want %v", same, tc.wantSame)
			}
			var dep *appsv1.Deployment
			for _, o := range w.Objects {
				if d, ok := o.(*appsv1.Deployment); ok {
					dep = d
				}
			}
			if got := dep.Spec.Template.Annotations[AnnotationConfig]; got != w.ConfigHash {
				t.Errorf("deployment carries hash %q, config hash is %q", got, w.ConfigHash)
			}
			if got := w.ConfigMap.Data[ConfigKey]; strings.Contains(got, "secret-value") {
				t.Error("config map holds secret data")
			}
		})
	}
}

func TestRenderedConfigDecodes(t *testing.T) {
	w, err := renderWorkload(testInput())
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Decode([]byte(w.ConfigMap.Data[ConfigKey]))
	if err != nil {
		t.Fatalf("the dispatcher could not load the rendered config: %v", err)
	}
	if c.Source.K3Cloud.Auth.CredentialsDir != "/var/run/dropship/secrets/kingdee-cred" {
		t.Errorf("credentialsDir = %q", c.Source.K3Cloud.Auth.CredentialsDir)
	}
}

func TestRenderWorkloadObjects(t *testing.T) {
	cases := map[string]struct {
		in   *dispatcherInput
		want []string
	}{
		"sqlite": {in: testInput(), want: []string{
			"ServiceAccount/main-dispatcher", "Role/main-dispatcher", "RoleBinding/main-dispatcher",
			"ConfigMap/main-dispatcher", "PersistentVolumeClaim/main-dispatcher-data",
			"Service/main-dispatcher", "Deployment/main-dispatcher",
		}},
		"postgres": {in: testInput(postgres), want: []string{
			"ServiceAccount/main-dispatcher", "Role/main-dispatcher", "RoleBinding/main-dispatcher",
			"ConfigMap/main-dispatcher", "Service/main-dispatcher", "Deployment/main-dispatcher",
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w, err := renderWorkload(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range w.Objects {
				got = append(got, o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName())
				refs := o.GetOwnerReferences()
				if len(refs) != 1 || refs[0].UID != "uid-1" || refs[0].Kind != "RoutingPolicy" || !*refs[0].Controller {
					t.Errorf("%s/%s owner references = %+v", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), refs)
				}
				if o.GetNamespace() != "shop" {
					t.Errorf("%s namespace = %q", o.GetName(), o.GetNamespace())
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("objects (-want +got):\n%s", d)
			}
		})
	}
}

func TestResourceNames(t *testing.T) {
	long := strings.Repeat("p", 250)
	cases := map[string]struct {
		policy string
		want   string
	}{
		"short": {policy: "main", want: "main-dispatcher"},
		"long":  {policy: long, want: strings.Repeat("p", 54) + "-" + shortHash(long+"-dispatcher", 8)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := dispatcherResourceName(tc.policy)
			if got != tc.want {
				t.Errorf("name = %q, want %q", got, tc.want)
			}
			if errs := validation.IsDNS1035Label(got); len(errs) != 0 {
				t.Errorf("%q is not a DNS-1035 label: %v", got, errs)
			}
			for k, v := range commonLabels(tc.policy) {
				if errs := validation.IsValidLabelValue(v); len(errs) != 0 {
					t.Errorf("label %s=%q invalid: %v", k, v, errs)
				}
			}
		})
	}
}

func TestRenderRoleLeastPrivilege(t *testing.T) {
	r := renderRole(testInput())
	for _, rule := range r.Rules {
		for _, list := range [][]string{rule.APIGroups, rule.Resources, rule.Verbs} {
			for _, s := range list {
				if s == "*" {
					t.Errorf("rule %+v uses a wildcard", rule)
				}
			}
		}
		for _, res := range rule.Resources {
			if res == "secrets" || res == "configmaps" {
				t.Errorf("dispatcher may read %s: %+v", res, rule)
			}
			if rule.APIGroups[0] == apiGroup && !strings.HasSuffix(res, "/status") {
				for _, v := range rule.Verbs {
					if v != "get" && v != "list" && v != "watch" {
						t.Errorf("dispatcher may %s %s spec", v, res)
					}
				}
			}
		}
	}
	rb := renderRoleBinding(testInput())
	if rb.RoleRef.Name != r.Name || rb.Subjects[0].Name != renderServiceAccount(testInput()).Name {
		t.Errorf("role binding %+v does not bind role %s to the service account", rb, r.Name)
	}
}
