package journal

import (
	"encoding/json"
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Intake is an order prepared for journaling: its body and the ids of its lines.
type Intake struct {
	Order *order.Order
	// Body is the order as stored (JSON).
	Body []byte
	// IDs are the line ids, in line order.
	IDs []string
}

// PrepareIntake checks that the order can be journaled (it has a source, a bill number
// and lines with distinct, non-empty entry ids; the rest is the intake's validation) and
// encodes it.
func PrepareIntake(o *order.Order) (*Intake, error) {
	if o == nil {
		return nil, fmt.Errorf("cannot journal a nil order")
	}
	if o.Source == "" || o.BillNo == "" || len(o.Lines) == 0 {
		return nil, fmt.Errorf("cannot journal order %q of source %q: it needs a source, a bill number and lines", o.BillNo, o.Source)
	}
	in := &Intake{Order: o, IDs: make([]string, len(o.Lines))}
	seen := make(map[string]bool, len(o.Lines))
	for i := range o.Lines {
		id := o.Ref(i).ID()
		if o.Lines[i].EntryID == "" || seen[id] {
			return nil, fmt.Errorf("cannot journal order %q of source %q: line %d has an empty or repeated entry id", o.BillNo, o.Source, i)
		}
		seen[id] = true
		in.IDs[i] = id
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("cannot encode order %q: %w", o.BillNo, err)
	}
	in.Body = b
	return in, nil
}
