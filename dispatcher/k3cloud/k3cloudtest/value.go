package k3cloudtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var currencyCodes = map[string]string{"PRE001": "CNY", "PRE002": "HKD", "PRE003": "EUR", "PRE004": "JPY",
	"PRE005": "TWD", "PRE006": "GBP", "PRE007": "USD"}

func toValue(d fieldDef, v any, loc *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch d.Type {
	case tText:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	case tNumber:
		switch x := v.(type) {
		case json.Number:
			return x.Float64()
		case string:
			if strings.TrimSpace(x) == "" {
				return 0.0, nil
			}
			return strconv.ParseFloat(strings.TrimSpace(x), 64)
		case bool:
			if x {
				return 1.0, nil
			}
			return 0.0, nil
		}
	case tInt:
		switch x := v.(type) {
		case json.Number:
			f, err := x.Float64()
			return int64(f), err
		case string:
			if strings.TrimSpace(x) == "" {
				return int64(0), nil
			}
			return strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		}
	case tBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			return strings.EqualFold(x, "true") || x == "1", nil
		case json.Number:
			return x.String() != "0", nil
		}
	case tDate:
		if x, ok := v.(string); ok {
			if strings.TrimSpace(x) == "" {
				return time.Time{}, nil
			}
			return parseDate(x, loc)
		}
	case tRef:
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"FNumber", "FNUMBER", "FName", "FNAME", "FUserID", "FCONTACTNUMBER", "FStaffNumber"} {
				if n, ok := getKey(x, k); ok {
					s := fmt.Sprint(n)
					if s == "" {
						return nil, nil
					}
					if strings.EqualFold(k, "FName") {
						return Ref{ID: refID(s), Number: s, Name: s}, nil
					}
					return mkRef(s), nil
				}
			}
			return nil, nil
		case string:
			if x == "" {
				return nil, nil
			}
			return mkRef(x), nil
		case json.Number:
			n, _ := x.Int64()
			return Ref{ID: n, Number: x.String()}, nil
		}
	}
	return nil, fmt.Errorf("字段%s的值类型不正确", d.Key)
}

func mkRef(number string) Ref {
	return Ref{ID: refID(number), Number: number, Name: number, Code: currencyCodes[number]}
}

func cloneBill(b *bill) *bill {
	c := &bill{id: b.id, head: make(map[string]any, len(b.head))}
	for k, v := range b.head {
		c.head[k] = v
	}
	for _, e := range b.entries {
		ce := make(map[string]any, len(e))
		for k, v := range e {
			ce[k] = v
		}
		c.entries = append(c.entries, ce)
	}
	return c
}

func isCustom(key string) bool { return strings.HasPrefix(strings.ToLower(key), "f_") }

func contains(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
