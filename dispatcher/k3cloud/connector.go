package k3cloud

import (
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Connector is everything one K3Cloud OrderSource needs, built from its config: the
// client, the order source, and the write-backs that are switched on.
type Connector struct {
	Client *Client
	Source *Source
	// Purchases is nil unless purchaseOrders.enabled.
	Purchases *PurchaseWriter
	// Tracking is nil unless trackingWriteBack is set.
	Tracking *TrackingWriter
	// Cursor is the store cursor name the source's watermark is kept under.
	Cursor string
}

// ConnectorOptions tune the parts of a Connector.
type ConnectorOptions struct {
	Client Options
	Source SourceOptions
	Writer WriterOptions
}

// CursorName is the store cursor (store.Store.Cursor/SetCursor) that holds the watermark of
// the named OrderSource.
func CursorName(source string) string { return "k3cloud/" + source + "/watermark" }

// NewConnector builds the connector of the OrderSource name from cfg, reading the
// credentials from the mounted directory.
func NewConnector(name string, cfg config.K3CloudSource, opts ConnectorOptions) (*Connector, error) {
	c, err := New(cfg.K3CloudConnection, opts.Client)
	if err != nil {
		return nil, err
	}
	conn := &Connector{Client: c, Cursor: CursorName(name)}
	if conn.Source, err = NewSource(c, name, cfg.SalesOrders, opts.Source); err != nil {
		return nil, err
	}
	if cfg.PurchaseOrders.Enabled {
		if conn.Purchases, err = NewPurchaseWriter(c, cfg.PurchaseOrders, opts.Writer); err != nil {
			return nil, fmt.Errorf("cannot create K3Cloud connector %q: %w", name, err)
		}
	}
	if t := cfg.TrackingWriteBack; t != nil {
		if conn.Tracking, err = NewTrackingWriter(c, cfg.SalesOrders.FormID, *t); err != nil {
			return nil, fmt.Errorf("cannot create K3Cloud connector %q: %w", name, err)
		}
	}
	return conn, nil
}
