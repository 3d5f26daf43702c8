package k3cloudtest

import (
	"fmt"
	"strings"
	"time"
)

// Bill is a snapshot of one simulated bill. Head and Entries hold values by field key:
// string, float64, int64, bool, time.Time or Ref.
type Bill struct {
	FormID  string
	ID      int64
	Number  string
	Status  string
	Head    map[string]any
	Entries []map[string]any
}

// Text returns a header field as text: refs as their number, dates as
// "2006-01-02 15:04:05", "" when absent.
func (b Bill) Text(key string) string { return textOf(lookup(b.Head, key)) }

// EntryText returns field key of entry i as text.
func (b Bill) EntryText(i int, key string) string {
	if i < 0 || i >= len(b.Entries) {
		return ""
	}
	return textOf(lookup(b.Entries[i], key))
}

func lookup(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case Ref:
		return x.Number
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return fmtNum(x)
	}
	return fmt.Sprint(v)
}

func snapshot(formID string, b *bill) Bill {
	c := cloneBill(b)
	return Bill{FormID: formID, ID: b.id, Number: b.number(), Status: b.status(), Head: c.head, Entries: c.entries}
}

// Bills returns a snapshot of every bill of a form, in FID order.
func (s *Server) Bills(formID string) []Bill {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.forms[strings.ToLower(formID)]
	if !ok {
		return nil
	}
	out := make([]Bill, len(f.bills))
	for i, b := range f.bills {
		out[i] = snapshot(f.sch.FormID, b)
	}
	return out
}

// PurchaseOrders returns every PUR_PurchaseOrder.
func (s *Server) PurchaseOrders() []Bill { return s.Bills("PUR_PurchaseOrder") }

// SalesOrder returns one SAL_SaleOrder by number.
func (s *Server) SalesOrder(billNo string) (Bill, bool) { return s.bill("SAL_SaleOrder", billNo) }

func (s *Server) bill(formID, billNo string) (Bill, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.forms[strings.ToLower(formID)]
	b, ok := f.byNo[strings.ToLower(billNo)]
	if !ok {
		return Bill{}, false
	}
	return snapshot(f.sch.FormID, b), true
}

// SalesOrder is a sales order to add with AddSalesOrder.
type SalesOrder struct {
	// BillNo is generated (XSDD000001…) when empty.
	BillNo   string
	Customer string
	SaleOrg  string
	LinkMan  string
	Phone    string
	Address  string
	Note     string
	DropShip bool
	// Date is the order date; ApproveDate (zero = now) is when it was audited.
	Date        time.Time
	ApproveDate time.Time
	// Unaudited leaves the order in status A (saved, not submitted).
	Unaudited bool
	Lines     []SalesLine
}

// SalesLine is one line of a SalesOrder.
type SalesLine struct {
	SKU      string
	Name     string
	Qty      float64
	TaxPrice float64
	Note     string
}

// AddSalesOrder stores an audited (unless Unaudited) sales order and returns its number
// and FID.
func (s *Server) AddSalesOrder(o SalesOrder) (string, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addSalesOrder(o)
}

func (s *Server) addSalesOrder(o SalesOrder) (string, int64, error) {
	s.version++
	f := s.forms["sal_saleorder"]
	now := s.opts.Now()
	if o.BillNo == "" {
		o.BillNo = f.nextNumber()
	}
	if _, taken := f.byNo[strings.ToLower(o.BillNo)]; taken {
		return "", 0, fmt.Errorf("cannot add sales order %q: the number is taken", o.BillNo)
	}
	if o.Date.IsZero() {
		o.Date = now
	}
	if o.ApproveDate.IsZero() {
		o.ApproveDate = now
	}
	if o.Customer == "" {
		o.Customer = "CUST0001"
	}
	if o.SaleOrg == "" {
		o.SaleOrg = "100"
	}
	s.nextID++
	b := &bill{id: s.nextID, head: map[string]any{
		"FBillNo": o.BillNo, "FDate": o.Date, "FBillTypeID": mkRef("XSDD01_SYS"), "FDocumentStatus": "C",
		"FSaleOrgId": mkRef(o.SaleOrg), "FCustId": mkRef(o.Customer), "FReceiveAddress": o.Address,
		"FLinkMan": o.LinkMan, "FLinkPhone": o.Phone, "FNote": o.Note, "FBusinessType": "NORMAL",
		"FCloseStatus": "A", "FCancelStatus": "A", "FCreateDate": o.Date, "FModifyDate": o.ApproveDate,
		"FApproveDate": o.ApproveDate, "FApproverId": mkRef("auditor"), "FSettleCurrId": mkRef("PRE001"),
		"FExchangeRate": 1.0,
	}}
	if o.DropShip {
		b.head["F_DropShip"] = 1.0
	} else {
		b.head["F_DropShip"] = 0.0
	}
	if o.Unaudited {
		b.head["FDocumentStatus"] = "A"
		delete(b.head, "FApproveDate")
		delete(b.head, "FApproverId")
	}
	for i, l := range o.Lines {
		s.nextEnt++
		m := mkRef(l.SKU)
		m.Name = l.Name
		b.entries = append(b.entries, map[string]any{
			"FEntryID": s.nextEnt, "FSeq": int64(i + 1), "FMaterialId": m, "FMaterialName": l.Name,
			"FUnitID": mkRef("Pcs"), "FQty": l.Qty, "FTaxPrice": l.TaxPrice, "FPrice": round2(l.TaxPrice / 1.13),
			"FEntryTaxRate": 13.0, "FAllAmount": round2(l.Qty * l.TaxPrice), "FEntryNote": l.Note,
			"FDeliveryDate": o.Date.Add(72 * time.Hour), "FDeliveryStatus": "A",
		})
	}
	f.add(b)
	return o.BillNo, b.id, nil
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func (s *Server) mutateSO(billNo string, fn func(b *bill) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.forms["sal_saleorder"].byNo[strings.ToLower(billNo)]
	if !ok {
		return fmt.Errorf("cannot find sales order %q", billNo)
	}
	s.version++
	if err := fn(b); err != nil {
		return err
	}
	b.head["FModifyDate"] = s.opts.Now()
	return nil
}

// CancelSalesOrder marks a sales order cancelled (FCancelStatus B), the way an ERP user
// voids it; an audited order is un-audited first, as Kingdee requires.
func (s *Server) CancelSalesOrder(billNo string) error {
	return s.mutateSO(billNo, func(b *bill) error {
		if st := b.status(); st == "C" || st == "B" {
			b.head["FDocumentStatus"] = "D"
			delete(b.head, "FApproveDate")
		}
		b.head["FCancelStatus"] = "B"
		return nil
	})
}

// UnAuditSalesOrder reverses the audit of a sales order (status D).
func (s *Server) UnAuditSalesOrder(billNo string) error {
	return s.mutateSO(billNo, func(b *bill) error {
		if b.status() != "C" {
			return fmt.Errorf("cannot un-audit sales order %q: status is %s", billNo, b.status())
		}
		b.head["FDocumentStatus"] = "D"
		delete(b.head, "FApproveDate")
		return nil
	})
}

// AuditSalesOrder audits a sales order now (status C, FApproveDate = now).
func (s *Server) AuditSalesOrder(billNo string) error {
	return s.mutateSO(billNo, func(b *bill) error {
		b.head["FDocumentStatus"] = "C"
		b.head["FApproveDate"] = s.opts.Now()
		return nil
	})
}

// SetField sets a header field of a bill, the way a user editing it in the ERP would (for
// example a supplier filling in the tracking number). Text fields take strings, number
// fields float64, date fields time.Time, base-data fields a number string.
func (s *Server) SetField(formID, billNo, key string, value any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.forms[strings.ToLower(formID)]
	if !ok {
		return fmt.Errorf("cannot set field on %q: no such form", formID)
	}
	b, ok := f.byNo[strings.ToLower(billNo)]
	if !ok {
		return fmt.Errorf("cannot set field on %s %q: no such bill", formID, billNo)
	}
	d, ok := f.sch.head[strings.ToLower(key)]
	if !ok {
		return fmt.Errorf("cannot set field %q on %s: no such header field", key, formID)
	}
	if d.Type == tRef {
		value = mkRef(fmt.Sprint(value))
	}
	s.version++
	b.head[d.Key] = value
	b.head["FModifyDate"] = s.opts.Now()
	return nil
}
