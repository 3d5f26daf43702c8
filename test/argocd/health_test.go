// Package argocd tests the Argo CD health script shipped in docs/argocd by running it in a
// real Lua interpreter (gopher-lua, the one Argo CD embeds) against sample objects.
package argocd

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

type health struct{ Status, Message string }

// run executes the script with obj bound to the object, the way Argo CD does.
func run(t *testing.T, script, object string) health {
	t.Helper()
	var obj any
	if err := yaml.Unmarshal([]byte(object), &obj); err != nil {
		t.Fatalf("bad test object: %v", err)
	}
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		t.Fatalf("script failed: %v", err)
	}
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("script returned %s, want a table", L.Get(-1).Type())
	}
	return health{Status: ret.RawGetString("status").String(), Message: ret.RawGetString("message").String()}
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	}
	return lua.LNil
}

func TestHealthScript(t *testing.T) {
	script, err := os.ReadFile("../../docs/argocd/health.lua")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		obj    string
		want   health
	}{
		"healthy": {"Ready=True at the current generation is Healthy", `
metadata: {generation: 3}
spec: {}
status:
  observedGeneration: 3
  conditions: [{type: Ready, status: "True", message: "Dispatcher available"}]`,
			health{"Healthy", "Dispatcher available"}},
		"no status": {"a fresh object the operator has not seen is Progressing", `
metadata: {generation: 1}
spec: {}`,
			health{"Progressing", "Waiting for the operator to report status"}},
		"old generation": {"Ready=True for an older generation is not yet Healthy", `
metadata: {generation: 4}
spec: {}
status:
  observedGeneration: 3
  conditions: [{type: Ready, status: "True", message: "ok"}]`,
			health{"Progressing", "Waiting for the operator to observe generation 4"}},
		"reconciling": {"Reconciling=True is Progressing with its message", `
metadata: {generation: 2}
spec: {}
status:
  observedGeneration: 2
  conditions:
  - {type: Ready, status: "Unknown", message: "x"}
  - {type: Reconciling, status: "True", message: "Rolling out the dispatcher"}`,
			health{"Progressing", "Rolling out the dispatcher"}},
		"stalled": {"Stalled=True is Degraded even at an old generation", `
metadata: {generation: 5}
spec: {}
status:
  observedGeneration: 4
  conditions:
  - {type: Stalled, status: "True", message: "Secret kingdee-cred not found"}`,
			health{"Degraded", "Secret kingdee-cred not found"}},
		"not ready": {"Ready=False is Degraded", `
metadata: {generation: 1}
spec: {}
status:
  observedGeneration: 1
  conditions: [{type: Ready, status: "False", message: "Supplier supplier-c not found"}]`,
			health{"Degraded", "Supplier supplier-c not found"}},
		"ready unknown": {"Ready=Unknown is Progressing", `
metadata: {generation: 1}
spec: {}
status:
  observedGeneration: 1
  conditions: [{type: Ready, status: "Unknown", message: "Waiting for heartbeat"}]`,
			health{"Progressing", "Waiting for heartbeat"}},
		"suspended": {"spec.suspend wins over everything", `
metadata: {generation: 1}
spec: {suspend: true}
status:
  observedGeneration: 1
  conditions: [{type: Ready, status: "False", message: "Suspended"}]`,
			health{"Suspended", "Suspended by spec.suspend"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := run(t, string(script), tc.obj)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}

// TestConfigMapSnippetMatchesScript keeps the argocd-cm snippet users paste equal to the
// tested script, for each of the three kinds.
func TestConfigMapSnippetMatchesScript(t *testing.T) {
	script, err := os.ReadFile("../../docs/argocd/health.lua")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../docs/argocd/argocd-cm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(b, &cm); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"OrderSource", "Supplier", "RoutingPolicy"} {
		key := "resource.customizations.health.dropship.dev_" + kind
		got, ok := cm.Data[key]
		if !ok {
			t.Errorf("argocd-cm.yaml has no key %s", key)
			continue
		}
		if strings.TrimSpace(got) != strings.TrimSpace(string(script)) {
			t.Errorf("argocd-cm.yaml %s differs from health.lua; regenerate the snippet", key)
		}
	}
}
