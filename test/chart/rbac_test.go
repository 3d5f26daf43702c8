package chart

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// TestRBACInSync: the manager's rules in the chart, cluster-wide and per watched namespace,
// are those the +kubebuilder:rbac markers generated into config/rbac/role.yaml.
func TestRBACInSync(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatalf("cannot read the generated role: %v", err)
	}
	var want rbacv1.ClusterRole
	if err := yaml.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Rules) == 0 {
		t.Fatalf("config/rbac/role.yaml has no rules")
	}

	var cr rbacv1.ClusterRole
	into(t, find(decode(t, mustTemplate(t, "")), "ClusterRole", "", release+"-manager"), &cr)
	if diff := cmp.Diff(want.Rules, cr.Rules); diff != "" {
		t.Errorf("chart ClusterRole drifted from config/rbac/role.yaml (run make helm-sync) (-markers +chart):\n%s", diff)
	}
	objs := decode(t, mustTemplate(t, valueSets["watch-namespaces"]))
	for _, ns := range []string{"shop"} {
		var r rbacv1.Role
		into(t, find(objs, "Role", ns, release+"-manager"), &r)
		if diff := cmp.Diff(want.Rules, r.Rules); diff != "" {
			t.Errorf("chart Role in %s drifted from config/rbac/role.yaml (-markers +chart):\n%s", ns, diff)
		}
	}
}
