package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
)

// TestWeightCollector ejects one supplier through real failures and reads the gauges.
func TestWeightCollector(t *testing.T) {
	env, err := apptest.New(apptest.Options{Dir: t.TempDir(), Weights: []int32{40, 30, 30},
		Adaptive: config.Adaptive{Enabled: true, ConsecutiveFailures: 3, MaxEjectionPercent: 100}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	tracker, err := health.New(env.Config, health.Options{})
	if err != nil {
		t.Fatal(err)
	}
	engine, err := routing.Compile(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		tracker.Record(apptest.Name(0), health.Transient, 10*time.Millisecond, errors.New("HTTP 503"))
	}
	c := newWeightCollector(tracker, engine, []string{apptest.Name(0), apptest.Name(1), apptest.Name(2)})
	want := `
# HELP dropship_supplier_effective_weight Weight routing gives a supplier in a rule after health adjustments (0 while ejected or suspended).
# TYPE dropship_supplier_effective_weight gauge
dropship_supplier_effective_weight{rule="all",supplier="sup-00"} 0
dropship_supplier_effective_weight{rule="all",supplier="sup-01"} 30
dropship_supplier_effective_weight{rule="all",supplier="sup-02"} 30
# HELP dropship_supplier_ejected 1 while outlier detection keeps the supplier out of rotation, else 0.
# TYPE dropship_supplier_ejected gauge
dropship_supplier_ejected{supplier="sup-00"} 1
dropship_supplier_ejected{supplier="sup-01"} 0
dropship_supplier_ejected{supplier="sup-02"} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
