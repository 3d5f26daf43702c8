package health

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestHistogramErrorBound checks the documented bound: a quantile read from the histogram
// is within ±5% of the exact nearest-rank quantile of the samples.
func TestHistogramErrorBound(t *testing.T) {
	cases := map[string]struct {
		reason string
		gen    func(r *rand.Rand) time.Duration
	}{
		"uniform": {"flat spread of API latencies", func(r *rand.Rand) time.Duration {
			return time.Duration(r.Int64N(int64(2*time.Second))) + time.Millisecond
		}},
		"lognormal": {"long-tailed latencies", func(r *rand.Rand) time.Duration {
			return time.Duration(math.Exp(r.NormFloat64()*1.2) * float64(50*time.Millisecond))
		}},
		"bimodal": {"fast answers and slow timeouts", func(r *rand.Rand) time.Duration {
			if r.IntN(10) == 0 {
				return 10*time.Second + time.Duration(r.Int64N(int64(time.Second)))
			}
			return 5*time.Millisecond + time.Duration(r.Int64N(int64(5*time.Millisecond)))
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var h histogram
			samples := make([]time.Duration, 5000)
			for i := range samples {
				samples[i] = max(tc.gen(r), latencyScale.min)
				h.add(latencyScale, samples[i])
			}
			slices.Sort(samples)
			for _, q := range []float64{0.5, 0.9, 0.95, 0.99} {
				exact := samples[int(math.Ceil(q*float64(len(samples))))-1]
				got := h.quantile(latencyScale, q)
				if rel := math.Abs(float64(got-exact)) / float64(exact); rel > 0.05 {
					t.Errorf("%s: q%.2f = %v, exact %v: relative error %.3f > 0.05", tc.reason, q, got, exact, rel)
				}
			}
		})
	}
}

func TestHistogramEdges(t *testing.T) {
	var h histogram
	if got := h.quantile(latencyScale, 0.95); got != 0 {
		t.Errorf("empty histogram: got %v, want 0", got)
	}
	h.add(latencyScale, 0)
	if got := h.quantile(latencyScale, 0.5); got != latencyScale.min {
		t.Errorf("below range: got %v, want the minimum %v", got, latencyScale.min)
	}
	h = histogram{}
	h.add(latencyScale, 1000*time.Hour)
	if got, want := h.quantile(latencyScale, 0.5), latencyScale.value(histBuckets-1); got != want {
		t.Errorf("beyond range: got %v, want the top %v", got, want)
	}
}
