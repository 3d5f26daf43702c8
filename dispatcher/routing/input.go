package routing

import (
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Input is everything one decision depends on, gathered by the caller.
type Input struct {
	// Order is the order the line belongs to.
	Order *order.Order
	// Line is the index in Order.Lines of the line to route (ByLine). In WholeOrder mode
	// it is ignored: every line is routed together.
	Line int
	// Tried are the suppliers that already refused this line (or order); they are
	// excluded with reason AlreadyRefused.
	Tried []string
	// Health holds a snapshot per supplier (health.Tracker.Snapshots). A supplier without
	// one is taken at its base weight, with no quota or ejection known. The caller may
	// overwrite the capacity figures with journal counts shared by several replicas.
	Health map[string]health.Snapshot
	// Pending counts the lines routed to each supplier since the Health snapshots were
	// taken (so not yet in their order counts); they are subtracted from the remaining
	// capacity, so that a burst between two snapshots cannot overshoot a quota. nil: none.
	Pending map[string]int64
	// Now is the time of the decision: ejections that ended before Now are over.
	Now time.Time
}

// Decision is the outcome of Decide. Exactly one of Supplier (Routed) or Unroutable is set.
type Decision struct {
	// Routed is true when a supplier was chosen.
	Routed bool `json:"routed"`
	// Supplier, Rule and Tier say where the line goes and why.
	Supplier string `json:"supplier,omitempty"`
	Rule     string `json:"rule,omitempty"`
	Tier     int    `json:"tier"`
	// Lines are the indices of the lines this decision covers (one in ByLine mode).
	Lines []int `json:"lines"`
	// BaseWeight and EffectiveWeight are the chosen supplier's weights.
	BaseWeight      int32   `json:"baseWeight,omitempty"`
	EffectiveWeight float64 `json:"effectiveWeight,omitempty"`
	// Unroutable is NoRuleMatched, NoEligibleSupplier or InvalidInput when not Routed:
	// the pipeline dead-letters the line with this reason and the explain.
	Unroutable Reason `json:"unroutable,omitempty"`
	// Explain is how the decision was reached.
	Explain Explain `json:"explain"`
}
