package app

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// basicRouter is a stand-in for dispatcher/routing until that engine is wired: rules in
// order (regions, SKUs, SKU prefixes; CEL expressions are not evaluated), tiers in order,
// weighted rendezvous hashing on the line id over effective weights from the health
// tracker. It explains each decision.
type basicRouter struct {
	cfg       *config.DispatcherConfig
	suppliers map[string]config.Supplier
	tracker   *health.Tracker

	mu    sync.Mutex
	snaps map[string]health.Snapshot
	at    time.Time
}

func newBasicRouter(cfg *config.DispatcherConfig, t *health.Tracker) *basicRouter {
	r := &basicRouter{cfg: cfg, suppliers: map[string]config.Supplier{}, tracker: t}
	for _, s := range cfg.Suppliers {
		r.suppliers[s.Name] = s
	}
	return r
}

type candidate struct {
	Supplier        string  `json:"supplier"`
	BaseWeight      int32   `json:"baseWeight"`
	EffectiveWeight float64 `json:"effectiveWeight"`
	Excluded        string  `json:"excluded,omitempty"`
}

type explain struct {
	Rule       string      `json:"rule"`
	Tier       int         `json:"tier"`
	Chosen     string      `json:"chosen,omitempty"`
	Candidates []candidate `json:"candidates"`
	Reason     string      `json:"reason,omitempty"`
}

func (r *basicRouter) snapshots() map[string]health.Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tracker != nil && time.Since(r.at) > 200*time.Millisecond {
		r.snaps, r.at = r.tracker.Snapshots(), time.Now()
	}
	return r.snaps
}

func (r *basicRouter) Route(_ context.Context, l *store.Line, exclude []string) (pipeline.Decision, error) {
	o := l.Order
	line := o.Lines[l.Index]
	snaps := r.snapshots()
	now := time.Now()
	for _, rule := range r.cfg.Rules {
		if !matches(rule.Match, o.ShipTo.Province, line.SKU) {
			continue
		}
		var ex explain
		ex.Rule = rule.Name
		for ti, tier := range rule.Tiers {
			ex.Tier = ti
			ex.Candidates = ex.Candidates[:0]
			best, bestScore := "", math.Inf(1)
			for _, ws := range tier.Suppliers {
				c := candidate{Supplier: ws.Name, BaseWeight: ws.Weight}
				s, known := r.suppliers[ws.Name]
				var snap *health.Snapshot
				if sn, ok := snaps[ws.Name]; ok {
					snap = &sn
				}
				c.EffectiveWeight = health.EffectiveWeight(ws.Weight, snap, now)
				switch {
				case !known:
					c.Excluded = "not configured"
				case s.Suspend:
					c.Excluded = "suspended"
				case slices.Contains(exclude, ws.Name):
					c.Excluded = "excluded (refused the line or circuit open)"
				case !serves(s, o.ShipTo.Province):
					c.Excluded = "region not served"
				case !sells(s, line.SKU):
					c.Excluded = "SKU not in catalog"
				case c.EffectiveWeight <= 0:
					c.Excluded = "no effective weight (ejected or unhealthy)"
				}
				ex.Candidates = append(ex.Candidates, c)
				if c.Excluded != "" {
					continue
				}
				h := fnv.New64a()
				h.Write([]byte(l.ID))
				h.Write([]byte{0})
				h.Write([]byte(ws.Name))
				u := (float64(h.Sum64()>>11) + 0.5) / float64(1<<53)
				if score := -math.Log(u) / c.EffectiveWeight; score < bestScore {
					best, bestScore = ws.Name, score
				}
			}
			if best != "" {
				ex.Chosen = best
				b, _ := json.Marshal(ex)
				return pipeline.Decision{Supplier: best, Rule: rule.Name, Tier: ti, Explain: b}, nil
			}
		}
		ex.Reason = "every candidate of every tier is excluded"
		b, _ := json.Marshal(ex)
		return pipeline.Decision{Rule: rule.Name, Explain: b}, fmt.Errorf("rule %q: %w", rule.Name, pipeline.ErrUnroutable)
	}
	b, _ := json.Marshal(explain{Reason: "no rule matches"})
	return pipeline.Decision{Explain: b}, fmt.Errorf("no rule matches: %w", pipeline.ErrUnroutable)
}

func matches(m config.Match, province, sku string) bool {
	if len(m.Regions) > 0 && !slices.Contains(m.Regions, province) && !slices.Contains(m.Regions, "*") {
		return false
	}
	if len(m.SKUs) > 0 && !slices.Contains(m.SKUs, sku) {
		return false
	}
	if len(m.SKUPrefixes) > 0 && !slices.ContainsFunc(m.SKUPrefixes, func(p string) bool { return strings.HasPrefix(sku, p) }) {
		return false
	}
	return true
}

func serves(s config.Supplier, province string) bool {
	return len(s.Regions) == 0 || slices.Contains(s.Regions, "*") || slices.Contains(s.Regions, province)
}

func sells(s config.Supplier, sku string) bool {
	if len(s.Catalog.SKUs) == 0 {
		return true
	}
	return slices.ContainsFunc(s.Catalog.SKUs, func(c config.CatalogItem) bool { return c.SKU == sku })
}
