package journal

import (
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// PurgeStates are the states whose lines Purge deletes.
var PurgeStates = []string{string(order.StateClosed), string(order.StateCancelled)}

// PurgeLimit is the number of lines one Purge call may delete.
func PurgeLimit(limit int) int {
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	return min(limit, store.MaxClaim)
}
