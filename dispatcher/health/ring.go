package health

import "time"

// Outcome classifies one call to a supplier.
type Outcome int

const (
	// Success: the supplier accepted the order.
	Success Outcome = iota
	// Transient: a retryable failure (5xx, connection error).
	Transient
	// Throttled: the supplier answered 429 (or otherwise said slow down).
	Throttled
	// Rejected: the supplier refused the order for good (a business refusal: the line is
	// rerouted, the supplier's API is working).
	Rejected
	// Timeout: the call did not finish within its deadline.
	Timeout
	numOutcomes
)

// String is the outcome's name, as used in metrics labels and logs.
func (o Outcome) String() string {
	switch o {
	case Success:
		return "Success"
	case Transient:
		return "Transient"
	case Throttled:
		return "Throttled"
	case Rejected:
		return "Rejected"
	case Timeout:
		return "Timeout"
	}
	return "Unknown"
}

// counts are the outcomes of one bucket (or of a whole window once merged).
type counts [numOutcomes]uint32

func (c counts) total() uint64 {
	var n uint64
	for _, v := range c {
		n += uint64(v)
	}
	return n
}

// reqBucket is one time slice of the request window.
type reqBucket struct {
	slot   int64 // index of the time slice this bucket holds; 0 = never used
	counts counts
	lat    histogram
}

// shipBucket is one time slice of the ship-lag window.
type shipBucket struct {
	slot int64
	lag  histogram
}

// slotOf numbers time slices of the given width; slot numbers start at 1 so that the zero
// value of a bucket means "empty".
func slotOf(t time.Time, width time.Duration) int64 {
	return t.UnixNano()/int64(width) + 1
}

// reqRing is the request window: len(buckets) slices of width each.
type reqRing struct {
	width   time.Duration
	buckets []reqBucket
}

func newReqRing(window time.Duration, n int) reqRing {
	return reqRing{width: bucketWidth(window, n), buckets: make([]reqBucket, n)}
}

// bucketWidth is window/n, at least 1ns so slot numbers stay defined.
func bucketWidth(window time.Duration, n int) time.Duration {
	return max(window/time.Duration(n), 1)
}

// at returns the bucket for time now, clearing it if it held an older slice.
func (r *reqRing) at(now time.Time) *reqBucket {
	s := slotOf(now, r.width)
	b := &r.buckets[int(s%int64(len(r.buckets)))]
	if b.slot != s {
		*b = reqBucket{slot: s}
	}
	return b
}

// sum merges the buckets inside the window ending at now whose slice starts at or after
// since (zero since: no lower bound).
func (r *reqRing) sum(now, since time.Time) (c counts, h histogram) {
	cur := slotOf(now, r.width)
	var first int64
	if !since.IsZero() {
		first = slotOf(since, r.width)
	}
	for i := range r.buckets {
		b := &r.buckets[i]
		if b.slot == 0 || b.slot > cur || b.slot <= cur-int64(len(r.buckets)) || b.slot < first {
			continue
		}
		for k, v := range b.counts {
			c[k] += v
		}
		h.merge(&b.lat)
	}
	return c, h
}

// counts merges only the outcome counts of the buckets sum would merge: the cheap path
// outlier detection takes on every failure.
func (r *reqRing) counts(now, since time.Time) (c counts) {
	cur := slotOf(now, r.width)
	var first int64
	if !since.IsZero() {
		first = slotOf(since, r.width)
	}
	for i := range r.buckets {
		b := &r.buckets[i]
		if b.slot == 0 || b.slot > cur || b.slot <= cur-int64(len(r.buckets)) || b.slot < first {
			continue
		}
		for k, v := range b.counts {
			c[k] += v
		}
	}
	return c
}

// shipRing is the ship-lag window.
type shipRing struct {
	width   time.Duration
	buckets []shipBucket
}

func newShipRing(window time.Duration, n int) shipRing {
	return shipRing{width: bucketWidth(window, n), buckets: make([]shipBucket, n)}
}

func (r *shipRing) add(now time.Time, lag time.Duration) {
	s := slotOf(now, r.width)
	b := &r.buckets[int(s%int64(len(r.buckets)))]
	if b.slot != s {
		*b = shipBucket{slot: s}
	}
	b.lag.add(shipLagScale, lag)
}

func (r *shipRing) sum(now time.Time) (h histogram) {
	cur := slotOf(now, r.width)
	for i := range r.buckets {
		b := &r.buckets[i]
		if b.slot == 0 || b.slot > cur || b.slot <= cur-int64(len(r.buckets)) {
			continue
		}
		h.merge(&b.lag)
	}
	return h
}
