package harness

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/dropship-operator/dropship-operator/dispatcher/server"
)

// Lines reads every line the dispatcher journaled for the given sales orders through its
// explain API (GET /v1/orders/{billNo}), concurrently. Orders it has not taken in yet are
// skipped.
func (d *Dispatcher) Lines(ctx context.Context, billNos []string) ([]server.LineView, error) {
	var (
		mu    sync.Mutex
		out   []server.LineView
		first error
		wg    sync.WaitGroup
	)
	work := make(chan string)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				v, err := d.Order(ctx, b)
				mu.Lock()
				switch {
				case err == nil:
					out = append(out, v.Lines...)
				case isNotFound(err):
				case first == nil:
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range billNos {
		work <- b
	}
	close(work)
	wg.Wait()
	if first != nil {
		return nil, fmt.Errorf("cannot read the lines of %s: %w", d.Policy, first)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func isNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), "404 Not Found")
}

// BillNos lists the drop-ship sales orders in the ERP.
func (p *ERP) BillNos(ctx context.Context) ([]string, error) {
	sos, err := p.SalesOrders(ctx, "F_TrackingNo", "F_Carrier")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range sos {
		if l.DropShip && !seen[l.BillNo] {
			seen[l.BillNo] = true
			out = append(out, l.BillNo)
		}
	}
	return out, nil
}
