package health

import (
	"cmp"
	"slices"
	"sync"
)

// RoutedShare is how many lines one rule sent to one supplier in the request window, and
// which fraction of the rule's lines that is: the actual share RoutingPolicy.status
// .allocation shows next to the expected one.
type RoutedShare struct {
	Rule     string  `json:"rule"`
	Supplier string  `json:"supplier"`
	Lines    int64   `json:"lines"`
	Share    float64 `json:"share"`
}

type routedKey struct{ rule, supplier string }

// routedCounts are per (rule, supplier) rings of line counts over the request window.
type routedCounts struct {
	mu    sync.Mutex
	rings map[routedKey][]countBucket
}

type countBucket struct {
	slot int64
	n    uint32
}

// RecordRouted counts one line (or one WholeOrder order) that rule routed to supplier.
func (t *Tracker) RecordRouted(rule, supplier string) {
	now := t.clock()
	width := bucketWidth(t.adaptive.Window.Duration, t.opts.Buckets)
	s := slotOf(now, width)
	r := &t.routed
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rings == nil {
		r.rings = map[routedKey][]countBucket{}
	}
	k := routedKey{rule, supplier}
	ring := r.rings[k]
	if ring == nil {
		ring = make([]countBucket, t.opts.Buckets)
		r.rings[k] = ring
	}
	b := &ring[int(s%int64(len(ring)))]
	if b.slot != s {
		*b = countBucket{slot: s}
	}
	b.n++
}

// RoutedShares returns, for every rule and supplier that routed lines in the window,
// the count and the share of the rule's lines, sorted by rule then supplier.
func (t *Tracker) RoutedShares() []RoutedShare {
	now := t.clock()
	width := bucketWidth(t.adaptive.Window.Duration, t.opts.Buckets)
	cur := slotOf(now, width)
	r := &t.routed
	r.mu.Lock()
	var out []RoutedShare
	totals := map[string]int64{}
	for k, ring := range r.rings {
		var n int64
		for _, b := range ring {
			if b.slot > cur-int64(len(ring)) && b.slot <= cur {
				n += int64(b.n)
			}
		}
		if n > 0 {
			out = append(out, RoutedShare{Rule: k.rule, Supplier: k.supplier, Lines: n})
			totals[k.rule] += n
		}
	}
	r.mu.Unlock()
	for i := range out {
		out[i].Share = float64(out[i].Lines) / float64(totals[out[i].Rule])
	}
	slices.SortFunc(out, func(a, b RoutedShare) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Supplier, b.Supplier))
	})
	return out
}
