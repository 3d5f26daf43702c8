package podrun

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

var k8s client.Client

func TestMain(m *testing.M) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		abs, _ := filepath.Abs("../../bin/k8s")
		os.Setenv("KUBEBUILDER_ASSETS", abs)
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		panic("cannot start the local API server (run `make k8s-bins`): " + err.Error())
	}
	k8s, err = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		panic(err)
	}
	code := m.Run()
	_ = env.Stop()
	os.Exit(code)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestRunnerRunsPodAndRollsOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/fakepod").CombinedOutput(); err != nil {
		t.Fatalf("cannot build fakepod: %v\n%s", err, out)
	}
	ns := "default"
	objs := []client.Object{
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: ns}, Data: map[string]string{"dispatcher.yaml": "v1"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cred", Namespace: ns}, Data: map[string][]byte{"token": []byte("s3cret")}},
	}
	one := int32(1)
	labels := map[string]string{"app": "x"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "dispatcher", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{"hash": "1"}},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name: "dispatcher", Image: "x",
						Command: []string{"/usr/local/bin/fakepod"},
						Args:    []string{"--config", "/etc/dropship/dispatcher.yaml"},
						Env: []corev1.EnvVar{
							{Name: "LEVEL", Value: "debug"},
							{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
						},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "config", MountPath: "/etc/dropship", ReadOnly: true},
							{Name: "cred", MountPath: "/var/run/secrets/cred", ReadOnly: true},
							{Name: "data", MountPath: "/var/lib/dropship"},
						},
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/readyz", Port: intstr.FromInt32(8080)}}},
					}},
					Volumes: []corev1.Volume{
						{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
						{Name: "cred", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "cred"}}},
						{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
					},
				},
			},
		},
	}
	for _, o := range append(objs, d) {
		if err := k8s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	var logs bytes.Buffer
	r := &Runner{Client: k8s, Namespace: ns, Name: "dispatcher", BinDir: bin, Root: root, Port: freePort(t), Output: &logs, Log: testr.New(t)}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()

	waitAvailable := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			got := &appsv1.Deployment{}
			if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "dispatcher"}, got); err != nil {
				t.Fatal(err)
			}
			if got.Status.AvailableReplicas == want && got.Status.ObservedGeneration == got.Generation &&
				len(got.Status.Conditions) == 1 && got.Status.Conditions[0].Status == corev1.ConditionTrue {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("deployment never reported %d available replicas; process output:\n%s", want, logs.String())
	}
	waitAvailable(1)
	out, err := os.ReadFile(filepath.Join(root, "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"config=v1", "secret=s3cret", "pod=dispatcher-local", "level=debug"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("process saw %q, want it to contain %q", out, want)
		}
	}

	// A rollout: new config and a new template hash restart the process with the new files.
	cm := objs[0].(*corev1.ConfigMap)
	cm.Data["dispatcher.yaml"] = "v2"
	if err := k8s.Update(ctx, cm); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "dispatcher"}, d); err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Annotations["hash"] = "2"
	if err := k8s.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	waitAvailable(1)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(readFile(root), "config=v2") {
		if time.Now().After(deadline) {
			t.Fatalf("process was not restarted with the new config; out.txt=%q", readFile(root))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r.Restarts() != 1 {
		t.Errorf("restarts = %d, want 1", r.Restarts())
	}

	// Scale to zero (a suspended policy) stops the process.
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "dispatcher"}, d); err != nil {
		t.Fatal(err)
	}
	d.Spec.Replicas = new(int32)
	if err := k8s.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	waitAvailable(0)
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", r.Port), time.Second); err == nil {
		c.Close()
		t.Error("the process still serves after scaling to zero")
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("runner stopped with an error: %v", err)
	}
}

func readFile(root string) string {
	b, _ := os.ReadFile(filepath.Join(root, "out.txt"))
	return string(b)
}
