package health

import (
	"math"
	"strconv"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// State is whether routing may send a supplier traffic.
type State string

const (
	// StateActive: the supplier takes traffic at its effective weight.
	StateActive State = "Active"
	// StateEjected: outlier detection took the supplier out until EjectedUntil.
	StateEjected State = "Ejected"
	// StateSuspended: the Supplier resource is suspended (spec.suspend).
	StateSuspended State = "Suspended"
)

// Circuit is the state of delivery's circuit breaker for a supplier, as delivery reports
// it with Tracker.SetCircuit.
type Circuit string

const (
	CircuitClosed   Circuit = "Closed"
	CircuitOpen     Circuit = "Open"
	CircuitHalfOpen Circuit = "HalfOpen"
)

// Ejection reasons.
const (
	EjectedConsecutiveFailures = "ConsecutiveFailures"
	EjectedFailurePercent      = "FailurePercent"
)

// Snapshot is every figure of one supplier at one instant. Its JSON field names are those
// of Supplier.status.health; the status reporter writes it there as is. All rates are
// fractions in [0, 1]; figures over the request window cover Window, ship lag covers
// ShipWindow.
type Snapshot struct {
	// Supplier is the supplier's name.
	Supplier string `json:"supplier"`
	// ObservedAt is the Tracker clock's time when the snapshot was taken.
	ObservedAt time.Time `json:"observedAt"`
	// Window is the length of the request window.
	Window config.Duration `json:"window"`

	// Requests is the number of calls in the window, every outcome included.
	Requests int64 `json:"requests"`
	// SuccessRate is accepted calls / Requests (0 when there were none).
	SuccessRate float64 `json:"successRate"`
	// FailureRate is (transient failures + timeouts) / Requests: the supplier's API failing.
	FailureRate float64 `json:"failureRate"`
	// ThrottledRate is 429 answers / Requests.
	ThrottledRate float64 `json:"throttledRate"`
	// RejectedRate is business refusals / Requests.
	RejectedRate float64 `json:"rejectedRate"`
	// P50LatencyMillis and P95LatencyMillis are API latency quantiles (±5%, throttled
	// answers excluded); 0 when there were no samples.
	P50LatencyMillis int64 `json:"p50LatencyMillis"`
	P95LatencyMillis int64 `json:"p95LatencyMillis"`

	// ShipWindow is the length of the ship-lag window.
	ShipWindow config.Duration `json:"shipWindow"`
	// ShipLagSamples is the number of shipments in the ship window.
	ShipLagSamples int64 `json:"shipLagSamples"`
	// ShipLagP95 is the p95 time from acceptance to tracking number (±5%).
	ShipLagP95 config.Duration `json:"shipLagP95"`
	// ShipSLA is the supplier's promise (sla.shipWithin); zero when it made none.
	ShipSLA config.Duration `json:"shipSLA,omitzero"`

	// BusinessDay is the local date (YYYY-MM-DD, supplier's time zone) orders placed now
	// count against: tomorrow once the cutoff has passed.
	BusinessDay string `json:"businessDay"`
	// AfterCutoff is true when the supplier's cutoff for today has passed.
	AfterCutoff bool `json:"afterCutoff,omitempty"`
	// OrdersToday and OrdersThisHour are the orders counted for BusinessDay and this hour.
	OrdersToday    int64 `json:"ordersToday"`
	OrdersThisHour int64 `json:"ordersThisHour"`
	// CapacityRemainingToday and CapacityRemainingThisHour are perDay − OrdersToday and
	// perHour − OrdersThisHour (never negative); absent when there is no such limit.
	CapacityRemainingToday    *int64 `json:"capacityRemainingToday,omitempty"`
	CapacityRemainingThisHour *int64 `json:"capacityRemainingThisHour,omitempty"`

	// ConsecutiveFailures is the current run of failures (transient, timeout, and throttled
	// when throttling is penalised).
	ConsecutiveFailures int `json:"consecutiveFailures"`
	// LastSuccessTime is when the supplier last accepted an order.
	LastSuccessTime time.Time `json:"lastSuccessTime,omitzero"`
	// LastError is the last failure, sanitised and truncated; LastErrorTime when it came.
	LastError     string    `json:"lastError,omitempty"`
	LastErrorTime time.Time `json:"lastErrorTime,omitzero"`

	// State is Active, Ejected or Suspended.
	State State `json:"state"`
	// EjectedUntil is when the current ejection ends (zero when not ejected).
	EjectedUntil time.Time `json:"ejectedUntil,omitzero"`
	// EjectionCount is the ejection multiplier: ejections so far, minus one per full window
	// without an ejection.
	EjectionCount int `json:"ejectionCount"`
	// EjectionReason is why the supplier was (last) ejected.
	EjectionReason string `json:"ejectionReason,omitempty"`
	// EjectionSuppressed is true when the supplier met an ejection threshold but was kept
	// because ejecting it would exceed maxEjectionPercent of a rule's suppliers.
	EjectionSuppressed bool `json:"ejectionSuppressed,omitempty"`
	// Circuit is delivery's circuit-breaker state.
	Circuit Circuit `json:"circuit"`

	// Inconclusive is true when the window holds fewer than minRequests requests: success
	// and throttling figures are not judged.
	Inconclusive bool `json:"inconclusive,omitempty"`
	// Factors break the health factor down; HealthFactor is their product.
	Factors      Factors `json:"factors"`
	HealthFactor float64 `json:"healthFactor"`
}

// Ejected reports whether the supplier is ejected at now.
func (s *Snapshot) Ejected(now time.Time) bool {
	return s.State == StateEjected && now.Before(s.EjectedUntil)
}

// Percent writes a rate in [0, 1] as the percentage string the API's status uses: at
// most two decimals, no trailing zeros ("98.5", "100", "0.01").
func Percent(rate float64) string {
	return strconv.FormatFloat(math.Round(clamp01(rate)*10000)/100, 'f', -1, 64)
}
