package order

import (
	"time"
)

// Order is one sales order as the dispatcher sees it, whatever system it came from.
type Order struct {
	// Source is the name of the OrderSource the order came from. It scopes BillNo: two
	// sources may use the same bill numbers.
	Source string `json:"source"`
	// BillNo is the human-facing order number in the source system (K3Cloud FBillNo).
	BillNo string `json:"billNo"`
	// BillID is the source system's internal id of the order (K3Cloud FID), when it has one.
	BillID string `json:"billID,omitempty"`
	// Customer is the customer's number or name in the source system.
	Customer string `json:"customer,omitempty"`
	// Currency is the ISO 4217 code of the prices, "CNY" when empty.
	Currency string `json:"currency,omitempty"`
	// Note is free text from the order header.
	Note string `json:"note,omitempty"`
	// ShipTo is where the supplier ships the goods.
	ShipTo ShipTo `json:"shipTo"`
	// Lines are the order lines; each is routed on its own (or together, in WholeOrder mode).
	Lines []Line `json:"lines"`
	// CreatedAt is when the order was created in the source system.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	// ApprovedAt is when the order was audited in the source system (K3Cloud FApproveDate).
	ApprovedAt time.Time `json:"approvedAt,omitzero"`
}

// Line is one order line.
type Line struct {
	// EntryID identifies the line inside its order (K3Cloud FSaleOrderEntry_FEntryID, or the
	// line number for webhook orders). Source + BillNo + EntryID is the line's identity.
	EntryID string `json:"entryID"`
	// SKU is our material number (K3Cloud FMaterialId.FNumber). Suppliers map it to theirs.
	SKU string `json:"sku"`
	// Name is the material name, for people reading supplier orders.
	Name string `json:"name,omitempty"`
	// Quantity is how many units to ship. Kingdee quantities are decimals (kilograms, metres).
	Quantity float64 `json:"quantity"`
	// UnitPrice is the price per unit including tax (K3Cloud FTaxPrice). It is informational:
	// the ERP stays the ledger of record.
	UnitPrice float64 `json:"unitPrice,omitempty"`
	// Note is free text from the line.
	Note string `json:"note,omitempty"`
}

// ShipTo is the consignee. Phone and address are personal data: log them only masked
// (see MaskPhone and MaskAddress).
type ShipTo struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Province string `json:"province"`
	City     string `json:"city,omitempty"`
	District string `json:"district,omitempty"`
	Address  string `json:"address"`
	// PostalCode is optional; Chinese consumer orders rarely carry one.
	PostalCode string `json:"postalCode,omitempty"`
}

// Shipment is what a supplier reports once a line has left its warehouse.
type Shipment struct {
	Carrier    string    `json:"carrier,omitempty"`
	TrackingNo string    `json:"trackingNo"`
	ShippedAt  time.Time `json:"shippedAt,omitzero"`
}

// LineRef points at one line of one order.
type LineRef struct {
	Source  string `json:"source"`
	BillNo  string `json:"billNo"`
	EntryID string `json:"entryID"`
}
