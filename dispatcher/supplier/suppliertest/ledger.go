package suppliertest

import (
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Entry is one accepted order in the idempotency ledger.
type Entry struct {
	// OrderID is the supplier order id the simulator gave.
	OrderID        string `json:"orderId"`
	IdempotencyKey string `json:"idempotencyKey"`
	// Lines are the order lines it covers, as "source/billNo/entryID".
	Lines []string `json:"lines"`
	// Submissions counts how often the key was accepted: 1 + replays.
	Submissions int       `json:"submissions"`
	AcceptedAt  time.Time `json:"acceptedAt"`
	// ShipAt is when it ships; zero when it never does.
	ShipAt time.Time `json:"shipAt,omitzero"`
}

// record is an Entry kept compactly; seq is its index + 1.
type record struct {
	key         string
	lines       []string
	callbackURL string
	fingerprint uint64
	acceptedAt  int64 // Unix nanoseconds
	shipAt      int64 // Unix nanoseconds; 0: never
	submissions uint32
}

// ledger records accepted orders by idempotency key and notices lines created twice. It
// keeps about 250 bytes per accepted single-line order (measured with 44-byte keys): a
// run of 100,000 orders needs ~25 MiB of heap.
type ledger struct {
	mu      sync.Mutex
	prefix  string
	records []record
	byKey   map[string]uint32
	byLine  map[string]uint32
	urls    map[string]string // interned callback URLs
}

func newLedger(prefix string) *ledger {
	return &ledger{prefix: prefix, byKey: map[string]uint32{}, byLine: map[string]uint32{}, urls: map[string]string{}}
}

// outcome of one accept.
type outcome struct {
	seq uint32
	// replay: the key was accepted before; conflict: ...with other lines.
	replay, conflict bool
	// duplicates is how many of the lines were already accepted under another key.
	duplicates int
}

func fingerprint(lines []string) uint64 {
	s := append([]string(nil), lines...)
	sort.Strings(s)
	h := fnv.New64a()
	for _, l := range s {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// accept records lines under key, or finds the earlier acceptance of key.
func (l *ledger) accept(key string, lines []string, callbackURL string, now time.Time, shipDelay time.Duration) outcome {
	fp := fingerprint(lines)
	l.mu.Lock()
	defer l.mu.Unlock()
	if seq, ok := l.byKey[key]; ok {
		r := &l.records[seq-1]
		if r.fingerprint != fp {
			return outcome{seq: seq, conflict: true}
		}
		r.submissions++
		return outcome{seq: seq, replay: true}
	}
	seq := uint32(len(l.records) + 1)
	out := outcome{seq: seq}
	for _, ln := range lines {
		if _, dup := l.byLine[ln]; dup {
			out.duplicates++
			continue
		}
		l.byLine[ln] = seq
	}
	if u, ok := l.urls[callbackURL]; ok {
		callbackURL = u
	} else if len(l.urls) < 64 {
		l.urls[callbackURL] = callbackURL
	}
	r := record{key: key, lines: lines, callbackURL: callbackURL, fingerprint: fp, acceptedAt: now.UnixNano(), submissions: 1}
	if shipDelay >= 0 {
		r.shipAt = now.Add(shipDelay).UnixNano()
	}
	l.records = append(l.records, r)
	l.byKey[key] = seq
	return out
}

func (l *ledger) orderID(seq uint32) string {
	return l.prefix + "-" + strconv.FormatUint(uint64(seq), 10)
}

// seqOf parses an order id the ledger gave.
func (l *ledger) seqOf(id string) (uint32, bool) {
	rest, ok := strings.CutPrefix(id, l.prefix+"-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 32)
	if err != nil || n == 0 {
		return 0, false
	}
	return uint32(n), true
}

func (l *ledger) entry(seq uint32) (Entry, record, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if seq == 0 || int(seq) > len(l.records) {
		return Entry{}, record{}, false
	}
	r := l.records[seq-1]
	e := Entry{OrderID: l.orderID(seq), IdempotencyKey: r.key, Lines: append([]string(nil), r.lines...), Submissions: int(r.submissions), AcceptedAt: time.Unix(0, r.acceptedAt)}
	if r.shipAt != 0 {
		e.ShipAt = time.Unix(0, r.shipAt)
	}
	return e, r, true
}

func (l *ledger) byIdempotencyKey(key string) (uint32, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seq, ok := l.byKey[key]
	return seq, ok
}

func (l *ledger) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.records)
}

func (l *ledger) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records, l.byKey, l.byLine = nil, map[string]uint32{}, map[string]uint32{}
}
