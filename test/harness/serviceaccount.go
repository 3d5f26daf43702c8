package harness

import (
	"context"
	"fmt"
	"path/filepath"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
)

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the Deployment's
// ServiceAccount (a bound token), so the dispatcher reaches the API server with exactly
// the rights the operator gave it, as in a pod.
func (e *Env) serviceAccountKubeconfig(ctx context.Context, deploy string) (string, error) {
	d := &appsv1.Deployment{}
	if err := e.Client.Get(ctx, types.NamespacedName{Namespace: e.Namespace, Name: deploy}, d); err != nil {
		return "", fmt.Errorf("cannot read deployment %q: %w", deploy, err)
	}
	sa := d.Spec.Template.Spec.ServiceAccountName
	if sa == "" {
		return "", fmt.Errorf("deployment %q names no ServiceAccount", deploy)
	}
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](24 * 3600)}}
	obj := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: sa}}
	if err := e.Client.SubResource("token").Create(ctx, obj, tr); err != nil {
		return "", fmt.Errorf("cannot get a token for ServiceAccount %q: %w", sa, err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["local"] = &clientcmdapi.Cluster{Server: e.Config.Host, CertificateAuthorityData: e.Config.CAData}
	kc.AuthInfos[sa] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	kc.Contexts["pod"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: sa, Namespace: e.Namespace}
	kc.CurrentContext = "pod"
	path := filepath.Join(e.opts.WorkDir, "pods", "kubeconfig-"+sa)
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return "", fmt.Errorf("cannot write the ServiceAccount kubeconfig: %w", err)
	}
	return path, nil
}
