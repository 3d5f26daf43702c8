package app

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// newAdapter builds the adapter of one supplier: HTTP/JSON, or the supplier's own K3Cloud.
func newAdapter(s config.Supplier) (supplier.Adapter, error) {
	switch {
	case s.HTTP != nil:
		a, err := supplier.NewHTTP(s, supplier.HTTPOptions{})
		if err != nil {
			return nil, err
		}
		return a, nil
	case s.K3Cloud != nil:
		a, err := k3cloud.NewAdapterFromConfig(*s.K3Cloud, k3cloud.AdapterOptions{})
		if err != nil {
			return nil, fmt.Errorf("cannot build K3Cloud adapter for supplier %q: %w", s.Name, err)
		}
		return a, nil
	}
	return nil, fmt.Errorf("cannot build adapter for supplier %q: it has no endpoint", s.Name)
}

// wireSource sets the ERP hooks of a K3Cloud source (poller, purchase-order and tracking
// write-backs) and the shipment polling of suppliers that run their own K3Cloud.
func wireSource(_ context.Context, cfg *config.DispatcherConfig, p *pipeline.Options, _ logr.Logger) error {
	byName := map[string]config.Supplier{}
	for _, s := range cfg.Suppliers {
		byName[s.Name] = s
	}
	for _, ds := range p.Suppliers {
		s := byName[ds.Name]
		if s.K3Cloud == nil {
			continue
		}
		if poller, ok := ds.Adapter.(supplier.ShipmentPoller); ok {
			if p.ShipmentPollers == nil {
				p.ShipmentPollers = map[string]pipeline.ShipmentPolling{}
			}
			p.ShipmentPollers[ds.Name] = pipeline.ShipmentPolling{Poller: poller, Interval: s.K3Cloud.PollInterval.Duration}
		}
	}
	k := cfg.Source.K3Cloud
	if k == nil {
		return nil
	}
	conn, err := k3cloud.NewConnector(cfg.Source.Name, *k, k3cloud.ConnectorOptions{})
	if err != nil {
		return fmt.Errorf("cannot start source %q: %w", cfg.Source.Name, err)
	}
	p.Poller = conn.Source
	p.Cancels = cancelChecker{conn.Source}
	p.PollInterval = k.SalesOrders.PollInterval.Duration
	p.SourceCursor = conn.Cursor
	if conn.Purchases != nil {
		p.Recorder = &poRecorder{w: conn.Purchases, suppliers: byName}
		p.RecordBatch = k.PurchaseOrders.BatchSize
	}
	if conn.Tracking != nil {
		p.Tracking = &trackingWriter{w: conn.Tracking}
		p.CloseBatch = k.TrackingWriteBack.BatchSize
	}
	return nil
}

// poRecorder adapts k3cloud.PurchaseWriter to pipeline.PurchaseOrderRecorder.
type poRecorder struct {
	w         *k3cloud.PurchaseWriter
	suppliers map[string]config.Supplier
}

func (r *poRecorder) RecordPurchaseOrders(ctx context.Context, lines []*store.Line) (map[string]string, error) {
	pos := make([]k3cloud.POLine, 0, len(lines))
	now := time.Now()
	for _, l := range lines {
		ol := l.Order.Lines[l.Index]
		price := 0.0
		for _, it := range r.suppliers[l.Supplier].Catalog.SKUs {
			if it.SKU == ol.SKU {
				price = it.Price
			}
		}
		pos = append(pos, k3cloud.POLine{Key: l.ID, SalesOrderNo: l.BillNo, SalesOrderEntryID: l.EntryID,
			SalesOrderEntrySeq: l.Index + 1, SupplierNumber: r.suppliers[l.Supplier].ERPNumber,
			SKU: ol.SKU, Quantity: ol.Quantity, TaxPrice: price, ShipTo: l.Order.ShipTo,
			SupplierOrderID: l.SupplierOrderID, Date: now})
	}
	out := map[string]string{}
	var firstErr error
	for _, res := range r.w.RecordPurchaseOrders(ctx, pos) {
		if res.Err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("cannot record purchase order for line %q: %w", res.Key, res.Err)
			}
			continue
		}
		out[res.Key] = res.BillNo
	}
	return out, firstErr
}

// trackingWriter adapts k3cloud.TrackingWriter to pipeline.TrackingWriter.
type trackingWriter struct{ w *k3cloud.TrackingWriter }

func (t *trackingWriter) WriteTracking(ctx context.Context, lines []*store.Line) ([]string, error) {
	ups := make([]k3cloud.TrackingUpdate, 0, len(lines))
	for _, l := range lines {
		if l.Shipment == nil {
			continue
		}
		ups = append(ups, k3cloud.TrackingUpdate{Key: l.ID, SalesOrderNo: l.BillNo, SalesOrderID: l.Order.BillID,
			EntryID: l.EntryID, TrackingNo: l.Shipment.TrackingNo, Carrier: l.Shipment.Carrier})
	}
	var written []string
	var firstErr error
	for _, res := range t.w.WriteTracking(ctx, ups) {
		if res.Err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("cannot write tracking number of line %q: %w", res.Key, res.Err)
			}
			continue
		}
		written = append(written, res.Key)
	}
	return written, firstErr
}

// cancelChecker adapts k3cloud.Source.Cancelled to pipeline.CancelChecker.
type cancelChecker struct{ s *k3cloud.Source }

func (c cancelChecker) Cancelled(ctx context.Context, billNos []string) (map[string]string, error) {
	cs, err := c.s.Cancelled(ctx, billNos)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cs))
	for _, x := range cs {
		out[x.BillNo] = x.Reason
	}
	return out, nil
}
