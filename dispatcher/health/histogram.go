package health

import (
	"math"
	"time"
)

// histogram is a fixed-size log-bucketed histogram of durations. Bucket 0 holds values up
// to min; bucket i ≥ 1 holds values in (min·γ^(i-1), min·γ^i] with γ = 1.1; the last
// bucket also holds everything larger. A quantile is reported as the geometric middle of
// its bucket, min·γ^(i-½), so for values inside the range it is within a factor γ^½ of
// the true sample at that rank: a relative error of at most 4.9% (plus the clamping at the
// ends: values below min read as min, values beyond the top bucket read as the top). The
// rank itself is exact (nearest-rank over the counts).
type histogram struct {
	counts [histBuckets]uint32
}

const (
	histBuckets = 176 // γ^175 ≈ 1.8e7: 0.1ms..30min for latency, 1s..208 days for ship lag
	histGamma   = 1.1
)

var histLogGamma = math.Log(histGamma)

// histScale is the range of one kind of histogram: its smallest distinct value.
type histScale struct{ min time.Duration }

var (
	latencyScale = histScale{min: 100 * time.Microsecond}
	shipLagScale = histScale{min: time.Second}
)

func (s histScale) index(d time.Duration) int {
	if d <= s.min {
		return 0
	}
	i := int(math.Ceil(math.Log(float64(d)/float64(s.min)) / histLogGamma))
	if i >= histBuckets {
		return histBuckets - 1
	}
	return i
}

func (s histScale) value(i int) time.Duration {
	if i == 0 {
		return s.min
	}
	return time.Duration(float64(s.min) * math.Pow(histGamma, float64(i)-0.5))
}

func (h *histogram) add(s histScale, d time.Duration) { h.counts[s.index(d)]++ }

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
}

func (h *histogram) total() uint64 {
	var n uint64
	for _, c := range h.counts {
		n += uint64(c)
	}
	return n
}

// quantile returns the q-quantile (0 < q ≤ 1) by nearest rank, or 0 when empty.
func (h *histogram) quantile(s histScale, q float64) time.Duration {
	n := h.total()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			return s.value(i)
		}
	}
	return s.value(histBuckets - 1)
}
