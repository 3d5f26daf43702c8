package controllers

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// renderServiceAccount is the identity the dispatcher pods run as.
func renderServiceAccount(in *dispatcherInput) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   objectMeta(in, dispatcherResourceName(in.Name)),
		AutomountServiceAccountToken: ptr.To(true),
	}
}

// renderRole grants a dispatcher the least it needs in its own namespace: read the dropship
// kinds and patch their status (health reports by server-side apply), record Events, and
// elect one reporter and ERP poller with its own Lease.
func renderRole(in *dispatcherInput) *rbacv1.Role {
	kinds := []string{"ordersources", "suppliers", "routingpolicies"}
	statuses := []string{"ordersources/status", "suppliers/status", "routingpolicies/status"}
	lease := dispatcherResourceName(in.Name)
	return &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: objectMeta(in, dispatcherResourceName(in.Name)),
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{apiGroup}, Resources: kinds, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{apiGroup}, Resources: statuses, Verbs: []string{"get", "patch"}},
			{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
			{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
			// create cannot be limited by name; get and update can.
			{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
			{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{lease}, Verbs: []string{"get", "update"}},
		},
	}
}

// renderRoleBinding binds the Role to the ServiceAccount.
func renderRoleBinding(in *dispatcherInput) *rbacv1.RoleBinding {
	name := dispatcherResourceName(in.Name)
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: objectMeta(in, name),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: in.Namespace}},
	}
}
