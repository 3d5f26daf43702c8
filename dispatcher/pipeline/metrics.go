package pipeline

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// Metrics are the dispatcher's Prometheus metrics, on their own registry (no global
// registration). docs/metrics.md lists them.
type Metrics struct {
	Registry *prometheus.Registry

	OrdersReceived  *prometheus.CounterVec
	IntakeInvalid   *prometheus.CounterVec
	Requests        *prometheus.CounterVec
	RequestDuration *prometheus.HistogramVec
	Transitions     *prometheus.CounterVec
	AcceptedLatency prometheus.Histogram
	Circuit         *prometheus.GaugeVec
	Callbacks       *prometheus.CounterVec
	SourcePolls     *prometheus.CounterVec
	WriteBacks      *prometheus.CounterVec
}

// NewMetrics registers the metrics, plus a collector that reads line counts per state
// and the backlog from st at every scrape, and the Go and process collectors.
func NewMetrics(st store.Store) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		OrdersReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_orders_received_total",
			Help: "Orders taken in, by source and result (new, duplicate, invalid).",
		}, []string{"source", "result"}),
		IntakeInvalid: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_intake_rejected_total",
			Help: "Intake payloads refused before journaling, by reason (unauthorized, malformed, invalid).",
		}, []string{"reason"}),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_supplier_requests_total",
			Help: "Calls to suppliers, by supplier and outcome (accepted, error, timeout, throttled, rejected).",
		}, []string{"supplier", "outcome"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dropship_supplier_request_duration_seconds",
			Help:    "Duration of calls to suppliers, by supplier.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"supplier"}),
		Transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_line_transitions_total",
			Help: "Line state changes journaled by this process, by target state.",
		}, []string{"state"}),
		AcceptedLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dropship_intake_to_accepted_seconds",
			Help:    "Time from intake to supplier acceptance of a line.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
		Circuit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dropship_supplier_circuit_state",
			Help: "Circuit breaker state per supplier: 0 closed, 1 open, 2 half-open.",
		}, []string{"supplier"}),
		Callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_shipment_callbacks_total",
			Help: "Shipment callbacks and polls, by supplier and result (shipped, duplicate, unknown, unauthorized, invalid, conflict).",
		}, []string{"supplier", "result"}),
		SourcePolls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_source_polls_total",
			Help: "ERP source polls, by result (ok, error).",
		}, []string{"result"}),
		WriteBacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_erp_writebacks_total",
			Help: "ERP write-backs per line, by kind (purchase_order, tracking) and result (ok, error).",
		}, []string{"kind", "result"}),
	}
	m.Registry.MustRegister(m.OrdersReceived, m.IntakeInvalid, m.Requests, m.RequestDuration,
		m.Transitions, m.AcceptedLatency, m.Circuit, m.Callbacks, m.SourcePolls, m.WriteBacks,
		&countsCollector{st: st},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var (
	linesDesc = prometheus.NewDesc("dropship_lines",
		"Lines in the journal, by state.", []string{"state"}, nil)
	backlogDesc = prometheus.NewDesc("dropship_backlog",
		"Lines not yet accepted by a supplier (Received, Routed, Submitted, Rejected).", nil, nil)
)

// countsCollector reads the journal's counts at scrape time.
type countsCollector struct{ st store.Store }

func (c *countsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- linesDesc
	ch <- backlogDesc
}

func (c *countsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.st.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(linesDesc, err)
		return
	}
	var backlog int64
	for _, s := range order.States {
		ch <- prometheus.MustNewConstMetric(linesDesc, prometheus.GaugeValue, float64(counts[s]), string(s))
		switch s {
		case order.StateReceived, order.StateRouted, order.StateSubmitted, order.StateRejected:
			backlog += counts[s]
		}
	}
	ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(backlog))
}
