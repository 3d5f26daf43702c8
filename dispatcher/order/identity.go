package order

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// LineID is the stable identity of a line: source, bill number and entry id, joined with
// "/". The parts are escaped so that a "/" inside a bill number cannot make two different
// lines share an id.
func LineID(source, billNo, entryID string) string {
	return escape(source) + "/" + escape(billNo) + "/" + escape(entryID)
}

// ID returns the line's identity (see LineID).
func (r LineRef) ID() string { return LineID(r.Source, r.BillNo, r.EntryID) }

// Ref returns the reference of line i of the order.
func (o *Order) Ref(i int) LineRef {
	return LineRef{Source: o.Source, BillNo: o.BillNo, EntryID: o.Lines[i].EntryID}
}

// IdempotencyKey is the key sent with every call to a supplier for this line (or, in
// WholeOrder mode, for the order: pass an empty entryID). It is derived from the line's
// identity and the supplier, so it is stable across retries and restarts, and a reroute to
// another supplier gets another key.
func IdempotencyKey(source, billNo, entryID, supplier string) string {
	h := sha256.New()
	for _, p := range []string{source, billNo, entryID, supplier} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "dso-" + hex.EncodeToString(h.Sum(nil))[:40]
}

func escape(s string) string {
	if !strings.ContainsAny(s, "/%") {
		return s
	}
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(s)
}
