package controllers

import (
	"context"
	"errors"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/utils/ptr"
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

// TestDriftIsReverted: a hand edit of the dispatcher's replicas or config is put back.
func TestDriftIsReverted(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	d := w.deployment(t)
	d.Spec.Replicas = ptr.To[int32](5)
	if err := k8sClient.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{}
	if err := k8sClient.Get(ctx, w.key("main-dispatcher"), cm); err != nil {
		t.Fatal(err)
	}
	rendered := cm.Data[ConfigKey]
	cm.Data[ConfigKey] = "edited: by hand"
	if err := k8sClient.Update(ctx, cm); err != nil {
		t.Fatal(err)
	}
	eventually(t, "drift reverted", func() error {
		if err := k8sClient.Get(ctx, w.key("main-dispatcher"), cm); err != nil {
			return err
		}
		d = w.deployment(t)
		if *d.Spec.Replicas != 1 || cm.Data[ConfigKey] != rendered {
			return fmt.Errorf("replicas %d, config edited %v", *d.Spec.Replicas, cm.Data[ConfigKey] != rendered)
		}
		return nil
	})
}
