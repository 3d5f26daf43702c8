package controllers

import (
	"context"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// TestPolicyStoreSwitch: moving a policy between the Postgres store (N replicas, rolling
// updates, DSN mounted) and SQLite (1 replica, Recreate, PVC) re-renders the Deployment
// both ways.
func TestPolicyStoreSwitch(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	w := newWorld(t)
	create(t, secret(w.ns, "pg", map[string]string{"dsn": secretValue}))
	w.deployment(t)

	update := func(mut func(*dropshipv1.RoutingPolicy)) {
		t.Helper()
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(w.policy), w.policy); err != nil {
			t.Fatal(err)
		}
		mut(w.policy)
		if err := k8sClient.Update(ctx, w.policy); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(replicas int32, strategy appsv1.DeploymentStrategyType, dsnMounted bool) {
		t.Helper()
		eventually(t, fmt.Sprintf("%d replicas, %s", replicas, strategy), func() error {
			d := w.deployment(t)
			mounted := false
			for _, v := range d.Spec.Template.Spec.Volumes {
				if v.Secret != nil && v.Secret.SecretName == "pg" {
					mounted = true
				}
			}
			if *d.Spec.Replicas != replicas || d.Spec.Strategy.Type != strategy || mounted != dsnMounted {
				return fmt.Errorf("replicas %d, strategy %s, dsn mounted %v", *d.Spec.Replicas, d.Spec.Strategy.Type, mounted)
			}
			return nil
		})
	}

	update(func(p *dropshipv1.RoutingPolicy) {
		p.Spec.Dispatcher.Replicas = 3
		p.Spec.Dispatcher.Store = dropshipv1.Store{Type: dropshipv1.StorePostgres,
			DSNSecretRef: &dropshipv1.SecretReference{Name: "pg"}}
	})
	expect(3, appsv1.RollingUpdateDeploymentStrategyType, true)

	update(func(p *dropshipv1.RoutingPolicy) {
		p.Spec.Dispatcher.Replicas = 1
		p.Spec.Dispatcher.Store = dropshipv1.Store{Type: dropshipv1.StoreSQLite}
	})
	expect(1, appsv1.RecreateDeploymentStrategyType, false)
}
