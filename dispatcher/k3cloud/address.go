package k3cloud

import (
	"strings"
	"unicode/utf8"
)

// Provinces are the 34 provincial-level divisions of China by their official names: 23
// provinces (台湾省 included), 5 autonomous regions, 4 municipalities and 2 special
// administrative regions. Supplier regions are written with these names.
var Provinces = []string{
	"北京市", "天津市", "上海市", "重庆市",
	"河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省",
	"山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省",
	"甘肃省", "青海省", "台湾省",
	"内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
	"香港特别行政区", "澳门特别行政区",
}

// provinceAliases maps every accepted spelling (official and short) to the official name,
// longest first when matched.
var provinceAliases = func() []struct{ alias, name string } {
	var out []struct{ alias, name string }
	add := func(a, n string) { out = append(out, struct{ alias, name string }{a, n}) }
	for _, p := range Provinces {
		add(p, p)
		short := p
		for _, suf := range []string{"特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"} {
			if strings.HasSuffix(p, suf) {
				short = strings.TrimSuffix(p, suf)
				break
			}
		}
		if short != p {
			add(short, p)
		}
	}
	add("广西自治区", "广西壮族自治区")
	add("新疆自治区", "新疆维吾尔自治区")
	add("宁夏自治区", "宁夏回族自治区")
	add("香港特区", "香港特别行政区")
	add("澳门特区", "澳门特别行政区")
	// Longest alias first, so "内蒙古自治区" wins over "内蒙古".
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j].alias) > len(out[j-1].alias); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}()

var municipalities = map[string]bool{"北京市": true, "天津市": true, "上海市": true, "重庆市": true}

// ParseAddress finds the province (official name), city and district at the start of a
// Chinese address such as "广东省深圳市南山区科技园1号", "广西南宁市青秀区…" or
// "上海浦东新区…". ok is false when no province is recognised.
func ParseAddress(addr string) (province, city, district string, ok bool) {
	rest := strings.TrimSpace(addr)
	rest = strings.TrimPrefix(rest, "中国")
	rest = strings.TrimLeft(rest, " ,，")
	for _, a := range provinceAliases {
		if strings.HasPrefix(rest, a.alias) {
			province = a.name
			rest = strings.TrimLeft(rest[len(a.alias):], " ")
			ok = true
			break
		}
	}
	if !ok {
		return "", "", "", false
	}
	if municipalities[province] {
		city = province
		// "上海市上海市浦东新区" and "北京市市辖区东城区" repeat the city level.
		short := strings.TrimSuffix(province, "市")
		for _, p := range []string{province, short + "市辖区", "市辖区", short} {
			if strings.HasPrefix(rest, p) {
				rest = rest[len(p):]
				break
			}
		}
	} else {
		city, rest = cutUnit(rest, 12, "自治州", "地区", "盟", "市")
	}
	district, _ = cutUnit(rest, 10, "新区", "区", "县", "市", "旗")
	return province, city, district, true
}

// cutUnit takes the leading administrative unit ending in one of the suffixes within max
// runes, and returns it and the rest.
func cutUnit(s string, max int, suffixes ...string) (unit, rest string) {
	best := -1
	var bestSuf string
	for _, suf := range suffixes {
		i := strings.Index(s, suf)
		if i <= 0 || utf8.RuneCountInString(s[:i]) > max {
			continue
		}
		if best < 0 || i < best || (i == best && len(suf) > len(bestSuf)) {
			best, bestSuf = i, suf
		}
	}
	if best < 0 {
		return "", s
	}
	end := best + len(bestSuf)
	return s[:end], s[end:]
}
