package routing

import (
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

// Reason is a machine-readable cause: why a rule did not match, why a candidate was
// excluded, or why a line is unroutable.
type Reason string

// Why a rule did not match.
const (
	RegionMismatch  Reason = "RegionMismatch"
	SKUMismatch     Reason = "SKUMismatch"
	ExpressionFalse Reason = "ExpressionFalse"
	ExpressionError Reason = "ExpressionError"
)

// Why a candidate was excluded.
const (
	NotInCatalog    Reason = "NotInCatalog"
	OutOfStock      Reason = "OutOfStock"
	RegionNotServed Reason = "RegionNotServed"
	AlreadyRefused  Reason = "AlreadyRefused"
	Suspended       Reason = "Suspended"
	CircuitOpen     Reason = "CircuitOpen"
	Ejected         Reason = "Ejected"
	QuotaExhausted  Reason = "QuotaExhausted"
	HourlyQuotaFull Reason = "HourlyQuotaExhausted"
	AfterCutoff     Reason = "AfterCutoff"
	ZeroWeight      Reason = "ZeroWeight"
)

// Why a line is unroutable.
const (
	NoRuleMatched      Reason = "NoRuleMatched"
	NoEligibleSupplier Reason = "NoEligibleSupplier"
	InvalidInput       Reason = "InvalidInput"
)

// isStatic reports whether an exclusion is about the line rather than the supplier's
// health: such candidates are left out of their tier's health.
func isStatic(r Reason) bool {
	return r == NotInCatalog || r == OutOfStock || r == RegionNotServed || r == AlreadyRefused
}

// Explain says how a decision was reached. It is stored with the line and served by
// GET /v1/orders/{id}; it holds no personal data (no address, phone or name).
type Explain struct {
	// Key is the line (or, WholeOrder, the order) identity the hashes were taken on.
	Key string `json:"key"`
	// Split is ByLine or WholeOrder.
	Split config.Split `json:"split"`
	// Lines are the indices of the lines decided together.
	Lines []int `json:"lines"`
	// DecidedAt is Input.Now.
	DecidedAt time.Time `json:"decidedAt"`
	// Rules lists the rules evaluated, in order, up to the first match.
	Rules []RuleTrace `json:"rules"`
	// Rule and Strategy are those of the matching rule.
	Rule     string          `json:"rule,omitempty"`
	Strategy config.Strategy `json:"strategy,omitempty"`
	// Tiers are the tiers' health and traffic share (Envoy priority load).
	Tiers []TierTrace `json:"tiers,omitempty"`
	// Pick is the point in [0,1) of the line's hash that chose the tier.
	Pick float64 `json:"pick"`
	// Candidates are every supplier of the matching rule, tier by tier, in listing order.
	Candidates []Candidate `json:"candidates,omitempty"`
	// Chosen and Tier are the decision; empty when unroutable.
	Chosen string `json:"chosen,omitempty"`
	Tier   int    `json:"tier"`
	// Unroutable is why no supplier was chosen.
	Unroutable Reason `json:"unroutable,omitempty"`
	// Message is a sentence for people.
	Message string `json:"message,omitempty"`
}

// RuleTrace is one evaluated rule.
type RuleTrace struct {
	Rule    string `json:"rule"`
	Matched bool   `json:"matched"`
	// Reason is why it did not match.
	Reason Reason `json:"reason,omitempty"`
	// Error is the CEL evaluation error, when Reason is ExpressionError.
	Error string `json:"error,omitempty"`
}

// TierTrace is one tier's health and load.
type TierTrace struct {
	Tier int `json:"tier"`
	// BaseWeight is the base weight of the suppliers that could serve the line.
	BaseWeight int64 `json:"baseWeight"`
	// HealthyWeight is the effective weight of the eligible ones.
	HealthyWeight float64 `json:"healthyWeight"`
	// Health is HealthyWeight / BaseWeight (0 when BaseWeight is 0).
	Health float64 `json:"health"`
	// Load is the share of traffic the tier takes, in [0, 1].
	Load float64 `json:"load"`
}

// Candidate is one supplier of the matching rule.
type Candidate struct {
	Supplier string `json:"supplier"`
	Tier     int    `json:"tier"`
	// BaseWeight is the configured weight; EffectiveWeight is base × health factor (0
	// when ejected or suspended).
	BaseWeight      int32        `json:"baseWeight"`
	HealthFactor    float64      `json:"healthFactor"`
	EffectiveWeight float64      `json:"effectiveWeight"`
	State           health.State `json:"state,omitempty"`
	// Eligible is true when the candidate could be chosen; Excluded says why not.
	Eligible bool   `json:"eligible"`
	Excluded Reason `json:"excluded,omitempty"`
	// EjectionOverridden is true when the supplier is ejected but kept in rotation so
	// that no more than maxEjectionPercent of the rule's suppliers are out.
	EjectionOverridden bool `json:"ejectionOverridden,omitempty"`
	// Price and LeadTime are the catalog figures the Cheapest and Fastest strategies use
	// (WholeOrder: the order total and the slowest line).
	Price    float64         `json:"price,omitempty"`
	LeadTime config.Duration `json:"leadTime,omitzero"`
}

// Temporary reports whether an exclusion passes with time: circuits close, ejections end,
// quotas refill at the next hour or business day. Suspension and line-specific reasons
// (catalog, stock, region, refusal) need a person or a config change.
func (r Reason) Temporary() bool {
	switch r {
	case CircuitOpen, Ejected, QuotaExhausted, HourlyQuotaFull, AfterCutoff:
		return true
	}
	return false
}

// Retryable reports whether an unroutable decision may route later without anyone
// changing anything: no eligible supplier, but at least one candidate is excluded for a
// Temporary reason, or has lost all its weight to ill health (base weight above zero).
// The pipeline can hold such a line and retry instead of dead-lettering it.
func (d *Decision) Retryable() bool {
	if d.Routed || d.Unroutable != NoEligibleSupplier {
		return false
	}
	for _, c := range d.Explain.Candidates {
		if c.Excluded.Temporary() || (c.Excluded == ZeroWeight && c.BaseWeight > 0) {
			return true
		}
	}
	return false
}
