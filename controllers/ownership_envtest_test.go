package controllers

import (
	"context"
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestDeletedObjectsAreRestored: the policy owns what it renders; an owned object deleted
// by hand comes back (envtest runs no garbage collector, so ownerReferences themselves are
// checked in TestPolicyRendersWorkload).
func TestDeletedObjectsAreRestored(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	w.deployment(t)
	for _, obj := range []client.Object{&corev1.ConfigMap{}, &rbacv1.Role{}, &corev1.Service{}, &appsv1.Deployment{}} {
		if err := k8sClient.Get(ctx, w.key("main-dispatcher"), obj); err != nil {
			t.Fatal(err)
		}
		uid := obj.GetUID()
		if err := k8sClient.Delete(ctx, obj); err != nil {
			t.Fatal(err)
		}
		eventually(t, "restored "+obj.GetObjectKind().GroupVersionKind().Kind, func() error {
			if err := k8sClient.Get(ctx, w.key("main-dispatcher"), obj); err != nil {
				return err
			}
			if obj.GetUID() == uid {
				return errors.New("not recreated yet")
			}
			return nil
		})
		assertControlledBy(t, obj, w.policy)
	}
}
