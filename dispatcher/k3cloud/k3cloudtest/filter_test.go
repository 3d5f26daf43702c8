package k3cloudtest

import (
	"testing"
	"time"
)

func TestFilterParser(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	sch := saleOrderSchema([]string{"F_TrackingNo"}, nil)
	b := &bill{id: 100123, head: map[string]any{
		"FBillNo": "XSDD000123", "FLinkMan": "O'Brien", "FDocumentStatus": "C", "F_DropShip": 1.0,
		"FApproveDate": time.Date(2025, 3, 1, 10, 15, 33, 127e6, loc), "FCustId": mkRef("CUST0001"),
	}}
	e := map[string]any{"FEntryID": int64(200456), "FSeq": int64(1), "FQty": 2.0, "FMaterialId": mkRef("SKU-001")}
	cases := map[string]struct {
		filter string
		want   bool
	}{
		"Eq":                {"FBillNo = 'XSDD000123'", true},
		"EqCaseInsensitive": {"fbillno = 'xsdd000123'", true},
		"QuoteEscape":       {"FLinkMan = 'O''Brien'", true},
		"Ne":                {"FDocumentStatus <> 'C'", false},
		"BangNe":            {"FDocumentStatus != 'A'", true},
		"NumberGt":          {"FQty > 1", true},
		"NumberLe":          {"FQty <= 1.5", false},
		"NumberAsText":      {"F_DropShip = '1'", true},
		"DateGe":            {"FApproveDate >= '2025-03-01 10:15:33'", true},
		"DateLt":            {"FApproveDate < '2025-03-01 10:15:33'", false},
		"DateOnly":          {"FApproveDate < '2025-03-02'", true},
		"Like":              {"FBillNo like 'XSDD%'", true},
		"LikeUnderscore":    {"FBillNo like 'XSDD00012_'", true},
		"NotLike":           {"FBillNo not like '%123'", false},
		"In":                {"FBillNo in ('A', 'XSDD000123')", true},
		"InNumbers":         {"FSaleOrderEntry_FEntryID in (1, 200456)", true},
		"InQuotedNumbers":   {"FSaleOrderEntry_FEntryID in ('200456')", true},
		"NotIn":             {"FMaterialId.FNumber not in ('SKU-001')", false},
		"RefNumber":         {"FCustId.FNumber = 'CUST0001'", true},
		"AndOr":             {"FDocumentStatus = 'A' or FQty = 2 and FBillNo = 'XSDD000123'", true},
		"Parentheses":       {"(FDocumentStatus = 'A' or FQty = 2) and FBillNo = 'nope'", false},
		"Not":               {"not (FQty = 2)", false},
		"IsNull":            {"F_TrackingNo is null", true},
		"IsNotNull":         {"FApproveDate is not null", true},
		"ConstFalse":        {"1 = 0", false},
		"EmptyIsTrue":       {"  ", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n, _, err := parseFilter(tc.filter, sch, loc)
			if err != nil {
				t.Fatalf("parseFilter(%q): %v", tc.filter, err)
			}
			if got := n.eval(&rowCtx{b: b, e: e, loc: loc}); got != tc.want {
				t.Errorf("%q = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func TestFilterParserErrors(t *testing.T) {
	sch := saleOrderSchema(nil, nil)
	for name, f := range map[string]string{
		"Unterminated": "FBillNo = 'abc",
		"DanglingAnd":  "FBillNo = 'a' and",
		"NoOperator":   "FBillNo 'a'",
		"UnknownField": "FNoSuchField = 1",
		"BadChar":      "FBillNo = 'a'; drop table",
		"Unbalanced":   "(FBillNo = 'a'",
	} {
		if _, _, err := parseFilter(f, sch, time.UTC); err == nil {
			t.Errorf("%s: parseFilter(%q) succeeded", name, f)
		}
	}
}
