package harness

import (
	"context"
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
)

// ERP reads the K3Cloud simulator through its WebAPI, as the integration user.
type ERP struct {
	c *k3cloud.Client
}

// ERP returns a WebAPI client of the simulated K3Cloud with the OrderSource's credentials.
func (e *Env) ERP() (*ERP, error) {
	src := e.manifests.of("OrderSource")[0]
	cred := e.manifests.secrets[src.str("spec", "k3cloud", "auth", "credentialsSecretRef", "name")]
	conn := config.K3CloudConnection{URL: e.ready.K3Cloud[0].URL, AcctID: src.str("spec", "k3cloud", "acctID"), LCID: 2052,
		Auth: config.K3CloudAuth{Mode: config.K3CloudAuthMode(src.str("spec", "k3cloud", "auth", "mode"))}}
	c, err := k3cloud.NewWithCredentials(conn, k3cloud.Credentials{Username: cred["username"], AppID: cred["appID"], AppSecret: cred["appSecret"]}, k3cloud.Options{})
	if err != nil {
		return nil, err
	}
	return &ERP{c: c}, nil
}

// PurchaseOrderLine is one entry of a PUR_PurchaseOrder.
type PurchaseOrderLine struct {
	BillNo, Status, Supplier string
	// SalesOrderNo and SalesOrderEntry link it to the sales order line it buys for.
	SalesOrderNo, SalesOrderEntry string
}

// PurchaseOrders lists every purchase order line.
func (p *ERP) PurchaseOrders(ctx context.Context) ([]PurchaseOrderLine, error) {
	rows, err := p.c.QueryAll(ctx, k3cloud.Query{FormID: "PUR_PurchaseOrder",
		FieldKeys:   []string{"FBillNo", "FDocumentStatus", "FSupplierId.FNumber", "FDEMANDBILLNO", "FDEMANDBILLENTRYID"},
		OrderString: "FID ASC"}, 2000)
	if err != nil {
		return nil, fmt.Errorf("cannot query purchase orders: %w", err)
	}
	out := make([]PurchaseOrderLine, 0, len(rows))
	for _, r := range rows {
		out = append(out, PurchaseOrderLine{BillNo: r.String(0), Status: r.String(1), Supplier: r.String(2), SalesOrderNo: r.String(3), SalesOrderEntry: r.String(4)})
	}
	return out, nil
}

// SalesOrderLine is one entry of a SAL_SaleOrder with the fields the chain writes back.
type SalesOrderLine struct {
	BillNo, EntryID, Status, TrackingNo, Carrier string
	DropShip                                     bool
}

// SalesOrders lists every sales order line with its tracking fields.
func (p *ERP) SalesOrders(ctx context.Context, trackingField, carrierField string) ([]SalesOrderLine, error) {
	rows, err := p.c.QueryAll(ctx, k3cloud.Query{FormID: "SAL_SaleOrder",
		FieldKeys:   []string{"FBillNo", "FSaleOrderEntry_FEntryID", "FDocumentStatus", trackingField, carrierField, "F_DropShip"},
		OrderString: "FID ASC"}, 2000)
	if err != nil {
		return nil, fmt.Errorf("cannot query sales orders: %w", err)
	}
	out := make([]SalesOrderLine, 0, len(rows))
	for _, r := range rows {
		out = append(out, SalesOrderLine{BillNo: r.String(0), EntryID: r.String(1), Status: r.String(2),
			TrackingNo: r.String(3), Carrier: r.String(4), DropShip: r.String(5) == "1" || r.String(5) == "true"})
	}
	return out, nil
}

// DuplicateLinks lists the sales order lines ("billNo/entryID") that more than one
// purchase order line points at: the ERP write-back must record each line once.
func DuplicateLinks(pos []PurchaseOrderLine) []string {
	seen := map[string]int{}
	var dups []string
	for _, p := range pos {
		k := p.SalesOrderNo + "/" + p.SalesOrderEntry
		seen[k]++
		if seen[k] == 2 {
			dups = append(dups, k)
		}
	}
	return dups
}
