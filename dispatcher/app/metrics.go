package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
)

var (
	effectiveWeightDesc = prometheus.NewDesc("dropship_supplier_effective_weight",
		"Weight routing gives a supplier in a rule after health adjustments (0 while ejected or suspended).",
		[]string{"rule", "supplier"}, nil)
	ejectedDesc = prometheus.NewDesc("dropship_supplier_ejected",
		"1 while outlier detection keeps the supplier out of rotation, else 0.",
		[]string{"supplier"}, nil)
)

// weightCollector reads effective weights and ejections from the health tracker and the
// routing engine at scrape time: the same figures routing decides with.
type weightCollector struct {
	tracker   *health.Tracker
	engine    *routing.Engine
	suppliers []string
	now       func() time.Time
}

func newWeightCollector(t *health.Tracker, e *routing.Engine, suppliers []string) *weightCollector {
	return &weightCollector{tracker: t, engine: e, suppliers: suppliers, now: time.Now}
}

func (c *weightCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- effectiveWeightDesc
	ch <- ejectedDesc
}

func (c *weightCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	snaps := c.tracker.Snapshots()
	for _, a := range c.engine.Allocation(snaps, now) {
		ch <- prometheus.MustNewConstMetric(effectiveWeightDesc, prometheus.GaugeValue, a.EffectiveWeight, a.Rule, a.Supplier)
	}
	for _, name := range c.suppliers {
		s, ok := snaps[name]
		v := 0.0
		if ok && s.Ejected(now) {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(ejectedDesc, prometheus.GaugeValue, v, name)
	}
}
