package controllers

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// TestOperatorMayGrantDispatcherRole: Kubernetes lets the operator create the dispatcher's
// Role only if the operator holds every permission in it. The generated ClusterRole
// (config/rbac/role.yaml, from the +kubebuilder:rbac markers) must cover each rule.
func TestOperatorMayGrantDispatcherRole(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var operator rbacv1.ClusterRole
	if err := yaml.Unmarshal(b, &operator); err != nil {
		t.Fatal(err)
	}
	allows := func(group, resource, verb string) bool {
		for _, r := range operator.Rules {
			if len(r.ResourceNames) == 0 && slices.Contains(r.APIGroups, group) &&
				slices.Contains(r.Resources, resource) && slices.Contains(r.Verbs, verb) {
				return true
			}
		}
		return false
	}
	for _, rule := range renderRole(testInput()).Rules {
		for _, g := range rule.APIGroups {
			for _, res := range rule.Resources {
				for _, v := range rule.Verbs {
					if !allows(g, res, v) {
						t.Errorf("the dispatcher Role grants %s %s/%s, which the operator's ClusterRole lacks", v, g, res)
					}
				}
			}
		}
	}
}
