package health

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Options tune a Tracker. Zero values take the defaults.
type Options struct {
	// Clock is the time source; time.Now when nil. Tests inject a fake.
	Clock func() time.Time
	// Buckets is how many slices the request window is cut into (default 20).
	Buckets int
	// ShipWindow is the ship-lag window (default 24h), cut into ShipBuckets (default 24).
	ShipWindow  time.Duration
	ShipBuckets int
}

// Tracker holds the windows of every supplier of one policy. Create it with New.
type Tracker struct {
	adaptive config.Adaptive
	clock    func() time.Time
	opts     Options

	mu        sync.RWMutex
	suppliers map[string]*supplierState
	configs   map[string]config.Supplier

	// ejectMu serialises ejection decisions so MaxEjectionPercent holds; it is always
	// taken before, never while holding, a supplier's lock.
	ejectMu sync.Mutex
	peers   map[string][][]string

	routed routedCounts
}

// New returns a Tracker for the suppliers and adaptive settings of cfg, with the rules'
// supplier sets as peer groups for MaxEjectionPercent. It fails when a supplier's time
// zone or cutoff cannot be read.
func New(cfg *config.DispatcherConfig, opts Options) (*Tracker, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Buckets <= 0 {
		opts.Buckets = 20
	}
	if opts.ShipWindow <= 0 {
		opts.ShipWindow = 24 * time.Hour
	}
	if opts.ShipBuckets <= 0 {
		opts.ShipBuckets = 24
	}
	t := &Tracker{
		adaptive:  normalize(cfg.Adaptive),
		clock:     opts.Clock,
		opts:      opts,
		suppliers: make(map[string]*supplierState, len(cfg.Suppliers)),
		configs:   make(map[string]config.Supplier, len(cfg.Suppliers)),
		peers:     map[string][][]string{},
	}
	for _, s := range cfg.Suppliers {
		st, err := t.newState(s)
		if err != nil {
			return nil, fmt.Errorf("cannot track supplier %q: %w", s.Name, err)
		}
		t.suppliers[s.Name] = st
		t.configs[s.Name] = s
	}
	for _, g := range PeerGroups(cfg) {
		for _, name := range g {
			t.peers[name] = append(t.peers[name], g)
		}
	}
	return t, nil
}

// PeerGroups returns, per rule, the distinct suppliers of all its tiers: the sets over
// which MaxEjectionPercent is enforced.
func PeerGroups(cfg *config.DispatcherConfig) [][]string {
	var groups [][]string
	for _, r := range cfg.Rules {
		seen := map[string]bool{}
		var g []string
		for _, tier := range r.Tiers {
			for _, ws := range tier.Suppliers {
				if !seen[ws.Name] {
					seen[ws.Name] = true
					g = append(g, ws.Name)
				}
			}
		}
		groups = append(groups, g)
	}
	return groups
}

func (t *Tracker) newState(s config.Supplier) (*supplierState, error) {
	cal, err := newCalendar(s.Capacity)
	if err != nil {
		return nil, err
	}
	return &supplierState{
		name:    s.Name,
		suspend: s.Suspend,
		sla:     s.SLA.ShipWithin.Duration,
		cal:     cal,
		req:     newReqRing(t.adaptive.Window.Duration, t.opts.Buckets),
		ship:    newShipRing(t.opts.ShipWindow, t.opts.ShipBuckets),
		circuit: CircuitClosed,
	}, nil
}

// state returns the supplier's state, creating it (default capacity, no SLA) for a name
// the config did not list, so a record never gets lost.
func (t *Tracker) state(name string) *supplierState {
	t.mu.RLock()
	s := t.suppliers[name]
	t.mu.RUnlock()
	if s != nil {
		return s
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if s = t.suppliers[name]; s == nil {
		s, _ = t.newState(config.Supplier{Name: name}) // the default time zone always loads
		t.suppliers[name] = s
	}
	return s
}

// Suppliers returns the names of every tracked supplier.
func (t *Tracker) Suppliers() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	names := make([]string, 0, len(t.suppliers))
	for n := range t.suppliers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
