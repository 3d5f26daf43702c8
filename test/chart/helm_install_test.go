package chart

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// TestHelmLifecycle runs the documented Helm commands against a real API server: install
// with one command, the upgrade path (CRDs applied server-side, then helm upgrade), and
// uninstall, which must keep the CRDs and the custom resources.
func TestHelmLifecycle(t *testing.T) {
	c := startCluster(t)
	home := t.TempDir()
	helm := func(args ...string) []byte {
		t.Helper()
		out, err := run("env", append([]string{
			"HELM_CACHE_HOME=" + filepath.Join(home, "cache"), "HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
			"HELM_DATA_HOME=" + filepath.Join(home, "data"), tool(t, "helm"), "--kubeconfig", c.kubeconfig,
		}, args...)...)
		if err != nil {
			t.Fatalf("helm %v: %v", args, err)
		}
		return out
	}
	ctx := context.Background()

	// The README's install command.
	helm("install", release, chartDir, "--namespace", namespace, "--create-namespace")
	c.waitEstablished(t, "ordersources.dropship.dev", "suppliers.dropship.dev", "routingpolicies.dropship.dev")
	if _, err := c.clientset.AppsV1().Deployments(namespace).Get(ctx, release, metav1.GetOptions{}); err != nil {
		t.Fatalf("helm install did not create the manager Deployment: %v", err)
	}
	c.applySamples(t)

	// The documented upgrade: CRDs first, by server-side apply, then the release.
	c.kubectl(t, nil, "apply", "--server-side", "--force-conflicts", "-f", filepath.Join(chartDir, "crds"))
	helm("upgrade", release, chartDir, "--namespace", namespace, "--reuse-values", "--set", "logLevel=debug")
	d, err := c.clientset.AppsV1().Deployments(namespace).Get(ctx, release, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.Spec.Template.Spec.Containers[0].Args, "--zap-log-level=debug") {
		t.Errorf("helm upgrade did not change the manager's arguments: %v", d.Spec.Template.Spec.Containers[0].Args)
	}

	// Uninstall removes the operator and keeps the CRDs and what users stored in them.
	helm("uninstall", release, "--namespace", namespace, "--wait")
	if _, err := c.clientset.AppsV1().Deployments(namespace).Get(ctx, release, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the manager Deployment survived helm uninstall: %v", err)
	}
	if _, err := c.clientset.RbacV1().ClusterRoles().Get(ctx, release+"-manager", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the manager ClusterRole survived helm uninstall: %v", err)
	}
	dyn, err := dynamic.NewForConfig(c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, crd := range []string{"ordersources.dropship.dev", "suppliers.dropship.dev", "routingpolicies.dropship.dev"} {
		if _, err := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}).
			Get(ctx, crd, metav1.GetOptions{}); err != nil {
			t.Errorf("CRD %s was not kept on uninstall: %v", crd, err)
		}
	}
	if _, err := dyn.Resource(schema.GroupVersionResource{Group: "dropship.dev", Version: "v1alpha1", Resource: "routingpolicies"}).
		Namespace("shop").Get(ctx, "main", metav1.GetOptions{}); err != nil {
		t.Errorf("the sample RoutingPolicy did not survive helm uninstall: %v", err)
	}
}
