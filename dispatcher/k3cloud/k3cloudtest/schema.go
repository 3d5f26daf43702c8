package k3cloudtest

import "strings"

type fieldType int

const (
	tText fieldType = iota
	tNumber
	tInt
	tDate
	tRef
	tBool
)

type fieldDef struct {
	Key  string
	Type fieldType
	// Label is the Chinese name used in messages.
	Label string
}

// Ref is a base-data value (material, supplier, customer…): its internal id, number,
// name and, for currencies, ISO code.
type Ref struct {
	ID     int64
	Number string
	Name   string
	Code   string
}

type schema struct {
	FormID     string
	Name       string // 销售订单
	Prefix     string // bill number prefix
	EntryKey   string // FSaleOrderEntry
	SubHeaders []string
	head       map[string]fieldDef // lowercase key
	entry      map[string]fieldDef
	required   []string // head keys required on create
	reqEntry   []string
}

func (s *schema) addHead(t fieldType, label string, keys ...string) {
	for _, k := range keys {
		s.head[strings.ToLower(k)] = fieldDef{Key: k, Type: t, Label: label}
	}
}

func (s *schema) addEntry(t fieldType, label string, keys ...string) {
	for _, k := range keys {
		s.entry[strings.ToLower(k)] = fieldDef{Key: k, Type: t, Label: label}
	}
}

func newSchema(formID, name, prefix, entryKey string, sub ...string) *schema {
	return &schema{FormID: formID, Name: name, Prefix: prefix, EntryKey: entryKey, SubHeaders: sub,
		head: map[string]fieldDef{}, entry: map[string]fieldDef{}}
}

var labels = map[string]string{
	"FBillTypeID": "单据类型", "FSupplierId": "供应商", "FPurchaseOrgId": "采购组织", "FDate": "日期",
	"FSaleOrgId": "销售组织", "FCustId": "客户", "FMaterialId": "物料编码", "FQty": "数量",
}

func saleOrderSchema(custom, customEntry []string) *schema {
	s := newSchema("SAL_SaleOrder", "销售订单", "XSDD", "FSaleOrderEntry", "FSaleOrderFinance", "FSaleOrderClause")
	s.addHead(tInt, "", "FID")
	s.addHead(tText, "", "FBillNo", "FDocumentStatus", "FReceiveAddress", "FLinkMan", "FLinkPhone", "FNote",
		"FBusinessType", "FCloseStatus", "FCancelStatus")
	s.addHead(tDate, "", "FDate", "FCreateDate", "FModifyDate", "FApproveDate")
	s.addHead(tRef, "", "FBillTypeID", "FSaleOrgId", "FCustId", "FSaleDeptId", "FSalerId", "FReceiveId",
		"FReceiveContact", "FHeadDeliveryWay", "FHEADLOCID", "FApproverId", "FSettleCurrId")
	s.addHead(tNumber, "", "FExchangeRate", "F_DropShip")
	s.addEntry(tInt, "", "FEntryID", "FSeq")
	s.addEntry(tRef, "", "FMaterialId", "FUnitID", "FSOStockId")
	s.addEntry(tText, "", "FMaterialName", "FEntryNote", "FDeliveryStatus")
	s.addEntry(tNumber, "", "FQty", "FPrice", "FTaxPrice", "FEntryTaxRate", "FAmount", "FTaxAmount", "FAllAmount")
	s.addEntry(tDate, "", "FDeliveryDate")
	s.addEntry(tBool, "", "FIsFree")
	for _, c := range custom {
		if _, ok := s.head[strings.ToLower(c)]; !ok {
			s.addHead(tText, "", c)
		}
	}
	for _, c := range customEntry {
		if _, ok := s.entry[strings.ToLower(c)]; !ok {
			s.addEntry(tText, "", c)
		}
	}
	s.required = []string{"FSaleOrgId", "FCustId", "FDate"}
	s.reqEntry = []string{"FMaterialId", "FQty"}
	return s
}

func purchaseOrderSchema(custom, customEntry []string) *schema {
	s := newSchema("PUR_PurchaseOrder", "采购订单", "CGDD", "FPOOrderEntry", "FPOOrderFinance", "FPOOrderClause")
	s.addHead(tInt, "", "FID")
	s.addHead(tText, "", "FBillNo", "FDocumentStatus", "FProviderAddress", "FNote", "FCloseStatus", "FCancelStatus")
	s.addHead(tDate, "", "FDate", "FCreateDate", "FModifyDate", "FApproveDate")
	s.addHead(tRef, "", "FBillTypeID", "FSupplierId", "FPurchaseOrgId", "FPurchaseDeptId", "FPurchaserId",
		"FApproverId", "FSettleCurrId")
	s.addHead(tNumber, "", "FExchangeRate")
	s.addHead(tBool, "", "FIsIncludedTax")
	s.addEntry(tInt, "", "FEntryID", "FSeq", "FDEMANDBILLENTRYID", "FDEMANDBILLENTRYSEQ")
	s.addEntry(tRef, "", "FMaterialId", "FUnitId", "FLocation")
	s.addEntry(tText, "", "FEntryNote", "FLocationAddress", "FDEMANDTYPE", "FDEMANDBILLNO", "FMaterialDesc")
	s.addEntry(tNumber, "", "FQty", "FPrice", "FTaxPrice", "FEntryTaxRate")
	s.addEntry(tDate, "", "FDeliveryDate")
	for _, c := range custom {
		if _, ok := s.head[strings.ToLower(c)]; !ok {
			s.addHead(tText, "", c)
		}
	}
	for _, c := range customEntry {
		if _, ok := s.entry[strings.ToLower(c)]; !ok {
			s.addEntry(tText, "", c)
		}
	}
	s.required = []string{"FBillTypeID", "FSupplierId", "FPurchaseOrgId", "FDate"}
	s.reqEntry = []string{"FMaterialId", "FQty"}
	return s
}

func label(key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

// fieldRef is a resolved query/filter field key.
type fieldRef struct {
	Key     string // as requested
	Def     fieldDef
	Entry   bool
	Sub     string // "fnumber", "fname", "fcode" or ""
	EntryID bool   // <EntryKey>_FEntryID
	Seq     bool   // <EntryKey>_FSeq
}

// resolve finds a field key of the form, case-insensitively.
func (s *schema) resolve(key string) (fieldRef, bool) {
	k := strings.ToLower(strings.TrimSpace(key))
	ref := fieldRef{Key: key}
	ek := strings.ToLower(s.EntryKey)
	if strings.HasPrefix(k, ek+"_") {
		switch k[len(ek)+1:] {
		case "fentryid":
			ref.Entry, ref.EntryID, ref.Def = true, true, fieldDef{Key: "FEntryID", Type: tInt}
			return ref, true
		case "fseq":
			ref.Entry, ref.Seq, ref.Def = true, true, fieldDef{Key: "FSeq", Type: tInt}
			return ref, true
		}
		return ref, false
	}
	base := k
	if i := strings.IndexByte(k, '.'); i >= 0 {
		base, ref.Sub = k[:i], k[i+1:]
	}
	if d, ok := s.head[base]; ok {
		ref.Def = d
	} else if d, ok := s.entry[base]; ok {
		ref.Def, ref.Entry = d, true
	} else {
		return ref, false
	}
	if ref.Sub != "" {
		if ref.Def.Type != tRef {
			return ref, false
		}
		switch ref.Sub {
		case "fnumber", "fname", "fcode", "fid", "fspecification":
		default:
			return ref, false
		}
	}
	return ref, true
}
