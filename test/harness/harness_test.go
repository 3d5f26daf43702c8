package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/server"
)

// demoManifests builds config/demo with the locally built kubectl (make k8s-bins).
func demoManifests(t *testing.T) *manifests {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	kubectl := filepath.Join(root, "bin", "k8s", "kubectl")
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		kubectl = filepath.Join(dir, "kubectl")
	}
	m, err := buildManifests(kubectl, filepath.Join(root, "config", "demo"))
	if err != nil {
		t.Fatalf("%v (make k8s-bins builds kubectl)", err)
	}
	return m
}

func TestDemoManifestsFillEveryPlaceholderAndSecret(t *testing.T) {
	m := demoManifests(t)
	urls := map[string]string{"DEMO_URL_ERP": "http://127.0.0.1:1/k3cloud/"}
	for _, s := range []string{"A", "B", "C", "D", "E"} {
		urls["DEMO_URL_"+s] = "http://127.0.0.1:2/" + strings.ToLower(s) + "/v1/orders"
	}
	out, err := m.render(urls)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, bad := range []string{"DEMO_URL_", "REPLACE-ME", "example.com", ".example"} {
		if strings.Contains(text, bad) {
			t.Errorf("the rendered demo still contains %q", bad)
		}
	}
	if !strings.Contains(text, "url: http://127.0.0.1:1/k3cloud/") {
		t.Error("the OrderSource does not point at the ERP URL (DEMO_URL_E must not eat DEMO_URL_ERP)")
	}
	if n := len(m.of("Supplier")); n != 5 {
		t.Errorf("%d Suppliers, want the samples' five", n)
	}
	if len(m.secrets) == 0 {
		t.Fatal("no Secrets in the demo")
	}
	again := demoManifests(t)
	for name, vals := range m.secrets {
		for k, v := range vals {
			if len(v) < 12 {
				t.Errorf("secret %s key %s has a short value", name, k)
			}
			if again.secrets[name][k] == v {
				t.Errorf("secret %s key %s is the same in two runs: values must be random", name, k)
			}
		}
	}
}

func TestSimConfigMatchesTheSuppliersAuth(t *testing.T) {
	m := demoManifests(t)
	b, err := simConfig(m, SimOptions{Orders: 10, TrickleOrders: 95, TrickleFor: 10 * time.Second, ShipDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		K3Cloud struct {
			AcctID, Username, AppID, AppSecret string
			Seed                               struct{ Orders int }
			Trickle                            struct {
				Every         string
				Orders, Total int
			}
		}
		Suppliers []struct {
			Name, CallbackSecret string
			Auth                 struct{ Type, HeaderName, Token, Username, Password, APIKey, HMACSecret string }
		}
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cred := m.secrets["kingdee-cred"]
	if cfg.K3Cloud.AcctID != "64a1b2c3d4e5f6" || cfg.K3Cloud.AppSecret != cred["appSecret"] || cfg.K3Cloud.Username != cred["username"] {
		t.Errorf("k3cloud section %+v does not carry the OrderSource's data centre and credentials", cfg.K3Cloud)
	}
	if got := cfg.K3Cloud.Trickle; got.Orders != 10 || got.Total != 95 || got.Every != "1s" {
		t.Errorf("trickle = %+v, want 10 orders a second up to 95", got)
	}
	type auth struct{ Type, Secret string }
	got := map[string]auth{}
	for _, s := range cfg.Suppliers {
		a := s.Auth
		secret := map[string]string{"HMAC": a.HMACSecret, "Bearer": a.Token, "APIKey": a.APIKey, "Basic": a.Password}[a.Type]
		got[s.Name] = auth{a.Type, secret}
	}
	want := map[string]auth{
		"supplier-a": {"HMAC", m.secrets["supplier-a-cred"]["hmacSecret"]},
		"supplier-b": {"Bearer", m.secrets["supplier-b-cred"]["token"]},
		"supplier-c": {"APIKey", m.secrets["supplier-c-cred"]["apiKey"]},
		"supplier-d": {"Bearer", m.secrets["supplier-d-kingdee"]["token"]},
		"supplier-e": {"Basic", m.secrets["supplier-e-cred"]["password"]},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("simulated suppliers' auth (-want +got):\n%s", diff)
	}
}

func TestAllocate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	line := func(rule, sup string, at time.Duration) server.LineView {
		return server.LineView{Rule: rule, Supplier: sup, CreatedAt: t0.Add(at), State: order.StateClosed}
	}
	lines := []server.LineView{
		line("north", "c", 0), line("north", "c", time.Second), line("north", "d", 2*time.Second),
		line("north", "d", 10*time.Second), line("north", "e", 11*time.Second), line("south", "a", 0),
		{Rule: "", Supplier: "", CreatedAt: t0, State: order.StateDeadLettered},
	}
	cases := map[string]struct {
		from, to time.Time
		rule     string
		want     map[string]float64
	}{
		"whole run":  {rule: "north", want: map[string]float64{"c": 0.4, "d": 0.4, "e": 0.2}},
		"before 10s": {to: t0.Add(10 * time.Second), rule: "north", want: map[string]float64{"c": 2.0 / 3, "d": 1.0 / 3, "e": 0}},
		"after 10s":  {from: t0.Add(10 * time.Second), rule: "north", want: map[string]float64{"c": 0, "d": 0.5, "e": 0.5}},
		"other rule": {rule: "south", want: map[string]float64{"a": 1, "c": 0}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := Allocate(lines, tc.from, tc.to)
			for sup, w := range tc.want {
				if got := a.Share(tc.rule, sup); got != w {
					t.Errorf("share of %s in %s = %v, want %v", sup, tc.rule, got, w)
				}
			}
		})
	}
}

func TestMetricsGetAndSum(t *testing.T) {
	m := Metrics{
		`dropship_lines{state="Closed"}`:                                    7,
		`dropship_lines{state="DeadLettered"}`:                              2,
		`dropship_supplier_requests_total{outcome="accepted",supplier="a"}`: 5,
		`dropship_supplier_requests_total{outcome="error",supplier="a"}`:    1,
		`dropship_supplier_requests_total{outcome="accepted",supplier="b"}`: 3,
		`dropship_backlog`: 4,
	}
	if got := m.Get("dropship_lines", "state", "Closed"); got != 7 {
		t.Errorf("Get = %v, want 7", got)
	}
	if got := m.Get("dropship_backlog"); got != 4 {
		t.Errorf("Get without labels = %v, want 4", got)
	}
	if got := m.Sum("dropship_lines"); got != 9 {
		t.Errorf("Sum = %v, want 9", got)
	}
	if got := m.Sum("dropship_supplier_requests_total", "supplier", "a"); got != 6 {
		t.Errorf("Sum by supplier = %v, want 6", got)
	}
	if got := m.Sum("dropship_supplier_requests_total", "outcome", "accepted"); got != 8 {
		t.Errorf("Sum by outcome = %v, want 8", got)
	}
}
