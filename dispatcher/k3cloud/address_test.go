package k3cloud_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
)

func TestParseAddress(t *testing.T) {
	type want struct{ Province, City, District string }
	cases := map[string]struct {
		reason string
		addr   string
		want   want
		ok     bool
	}{
		"Province":          {"province, city, district", "广东省深圳市南山区科技园1号", want{"广东省", "深圳市", "南山区"}, true},
		"ShortProvince":     {"province without 省", "浙江杭州市西湖区文三路", want{"浙江省", "杭州市", "西湖区"}, true},
		"Zhuang":            {"自治区 official name", "广西壮族自治区南宁市青秀区民族大道", want{"广西壮族自治区", "南宁市", "青秀区"}, true},
		"ShortGuangxi":      {"自治区 short name", "广西南宁市青秀区", want{"广西壮族自治区", "南宁市", "青秀区"}, true},
		"InnerMongolia":     {"内蒙古 with 盟-free city", "内蒙古自治区呼和浩特市赛罕区", want{"内蒙古自治区", "呼和浩特市", "赛罕区"}, true},
		"Xinjiang":          {"新疆 short", "新疆乌鲁木齐市天山区", want{"新疆维吾尔自治区", "乌鲁木齐市", "天山区"}, true},
		"Tibet":             {"西藏", "西藏自治区拉萨市城关区", want{"西藏自治区", "拉萨市", "城关区"}, true},
		"Ningxia":           {"宁夏", "宁夏银川市金凤区", want{"宁夏回族自治区", "银川市", "金凤区"}, true},
		"Municipality":      {"直辖市 with its name", "上海市浦东新区张江路", want{"上海市", "上海市", "浦东新区"}, true},
		"MunicipalityRep":   {"直辖市 written twice", "北京市北京市朝阳区建国路", want{"北京市", "北京市", "朝阳区"}, true},
		"MunicipalityShort": {"直辖市 without 市", "重庆渝中区解放碑", want{"重庆市", "重庆市", "渝中区"}, true},
		"Prefecture":        {"自治州 city level", "四川省凉山彝族自治州西昌市", want{"四川省", "凉山彝族自治州", "西昌市"}, true},
		"County":            {"县", "河北省保定市涞水县", want{"河北省", "保定市", "涞水县"}, true},
		"HongKong":          {"特别行政区", "香港特别行政区九龙城区", want{"香港特别行政区", "", "九龙城区"}, true},
		"Macau":             {"澳门 short", "澳门氹仔", want{"澳门特别行政区", "", ""}, true},
		"Heilongjiang":      {"three-character province", "黑龙江省哈尔滨市南岗区", want{"黑龙江省", "哈尔滨市", "南岗区"}, true},
		"ChinaPrefix":       {"leading 中国", "中国 江苏省南京市玄武区", want{"江苏省", "南京市", "玄武区"}, true},
		"Unknown":           {"no province", "科技园1号", want{}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, c, d, ok := k3cloud.ParseAddress(tc.addr)
			if ok != tc.ok {
				t.Fatalf("%s\nok = %v, want %v", tc.reason, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, want{p, c, d}); diff != "" {
				t.Errorf("%s\nParseAddress(%q) -want +got:\n%s", tc.reason, tc.addr, diff)
			}
		})
	}
}

func TestAllProvincesParse(t *testing.T) {
	if len(k3cloud.Provinces) != 34 {
		t.Fatalf("%d provinces, want 34", len(k3cloud.Provinces))
	}
	for _, p := range k3cloud.Provinces {
		if got, _, _, ok := k3cloud.ParseAddress(p + "某路1号"); !ok || got != p {
			t.Errorf("ParseAddress(%q) = %q, %v", p+"某路1号", got, ok)
		}
	}
}
