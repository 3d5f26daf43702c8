package health

import (
	"sync"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// clock is a hand-driven time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is 10:00 in Shanghai.
var t0 = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

func adaptive() config.Adaptive {
	return config.Adaptive{
		Enabled: true, Window: config.D(5 * time.Minute), MinRequests: 10,
		ConsecutiveFailures: 3, FailurePercent: 50, BaseEjectionTime: config.D(time.Minute),
		MaxEjectionTime: config.D(3 * time.Minute), MaxEjectionPercent: 50,
		PenalizeThrottling: true, SlowShipFactor: 1.5,
	}
}

// testConfig has suppliers a, b, c, d in one rule (so at most 2 may be ejected at once).
func testConfig() *config.DispatcherConfig {
	cfg := &config.DispatcherConfig{Adaptive: adaptive()}
	var tier config.Tier
	for _, n := range []string{"a", "b", "c", "d"} {
		cfg.Suppliers = append(cfg.Suppliers, config.Supplier{Name: n, Regions: []string{"*"},
			Capacity: config.Capacity{PerDay: 100, PerHour: 10, Timezone: "Asia/Shanghai", Cutoff: "16:00"},
			SLA:      config.SLA{ShipWithin: config.D(48 * time.Hour)}})
		tier.Suppliers = append(tier.Suppliers, config.WeightedSupplier{Name: n, Weight: 25})
	}
	cfg.Rules = []config.Rule{{Name: "all", Tiers: []config.Tier{tier}}}
	return cfg
}

func newTracker(t *testing.T, cfg *config.DispatcherConfig, c *clock) *Tracker {
	t.Helper()
	tr, err := New(cfg, Options{Clock: c.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tr
}

func record(tr *Tracker, name string, o Outcome, n int) {
	for range n {
		tr.Record(name, o, 20*time.Millisecond, nil)
	}
}
