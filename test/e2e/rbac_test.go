package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// TestDispatcherRBAC asks the API server, with the Role and RoleBinding the operator
// rendered for a policy, what the dispatcher's ServiceAccount may do.
func TestDispatcherRBAC(t *testing.T) {
	needEnvtest(t)
	ns := newNamespace(t)
	create(t, webhookSource(ns)...)
	create(t, secret(ns, "callbacks", config.SecretKeyCallbackSecret, "cb"))
	create(t, simSupplier(ns, "c", "http://127.0.0.1:1/v1/orders"))
	create(t, weightedPolicy(ns, "main", window, map[string]int32{"c": 1}, "c"))

	rb := &rbacv1.RoleBinding{}
	eventually(t, "the dispatcher's Role and RoleBinding", 30*time.Second, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "main-dispatcher"}, &rbacv1.Role{}); err != nil {
			return err
		}
		return k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "main-dispatcher"}, rb)
	})
	if len(rb.Subjects) != 1 || rb.Subjects[0].Kind != rbacv1.ServiceAccountKind {
		t.Fatalf("RoleBinding subjects %+v, want the dispatcher's ServiceAccount", rb.Subjects)
	}
	sa := rb.Subjects[0]
	user := fmt.Sprintf("system:serviceaccount:%s:%s", sa.Namespace, sa.Name)
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + sa.Namespace, "system:authenticated"}

	type ask struct {
		ns, group, resource, sub, verb, name string
	}
	const dropship = "dropship.dev"
	cases := map[string]struct {
		a     ask
		allow bool
	}{
		"patch Supplier status":       {ask{ns, dropship, "suppliers", "status", "patch", "c"}, true},
		"patch RoutingPolicy status":  {ask{ns, dropship, "routingpolicies", "status", "patch", "main"}, true},
		"patch OrderSource status":    {ask{ns, dropship, "ordersources", "status", "patch", "intake"}, true},
		"read Suppliers":              {ask{ns, dropship, "suppliers", "", "get", "c"}, true},
		"create events.k8s.io Events": {ask{ns, "events.k8s.io", "events", "", "create", ""}, true},
		"create core Events":          {ask{ns, "", "events", "", "create", ""}, true},
		"create its Lease":            {ask{ns, "coordination.k8s.io", "leases", "", "create", ""}, true},
		"renew its Lease":             {ask{ns, "coordination.k8s.io", "leases", "", "update", "main-dispatcher"}, true},
		"read its Lease":              {ask{ns, "coordination.k8s.io", "leases", "", "get", "main-dispatcher"}, true},
		"take another Lease":          {ask{ns, "coordination.k8s.io", "leases", "", "update", "other"}, false},
		"read Secrets":                {ask{ns, "", "secrets", "", "get", "intake"}, false},
		"list Secrets":                {ask{ns, "", "secrets", "", "list", ""}, false},
		"patch a Supplier spec":       {ask{ns, dropship, "suppliers", "", "patch", "c"}, false},
		"update a RoutingPolicy spec": {ask{ns, dropship, "routingpolicies", "", "update", "main"}, false},
		"delete a Supplier":           {ask{ns, dropship, "suppliers", "", "delete", "c"}, false},
		"patch status elsewhere":      {ask{"default", dropship, "suppliers", "status", "patch", "c"}, false},
		"create Events elsewhere":     {ask{"default", "events.k8s.io", "events", "", "create", ""}, false},
		"patch its Deployment":        {ask{ns, "apps", "deployments", "", "patch", "main-dispatcher"}, false},
		"edit its Role":               {ask{ns, "rbac.authorization.k8s.io", "roles", "", "update", "main-dispatcher"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: user, Groups: groups,
				ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: tc.a.ns, Group: tc.a.group,
					Resource: tc.a.resource, Subresource: tc.a.sub, Verb: tc.a.verb, Name: tc.a.name},
			}}
			if err := k8s.Create(context.Background(), sar); err != nil {
				t.Fatal(err)
			}
			if sar.Status.Allowed != tc.allow {
				t.Errorf("%s %s/%s %s in %s: allowed=%v, want %v (%s)", tc.a.verb, tc.a.resource, tc.a.sub, tc.a.name, tc.a.ns,
					sar.Status.Allowed, tc.allow, sar.Status.Reason)
			}
		})
	}
}
