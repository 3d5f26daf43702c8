package k3cloudtest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// SeedOptions shape the generated sales orders.
type SeedOptions struct {
	// Orders is how many sales orders to add.
	Orders int
	// Seed makes the data deterministic: the same seed gives the same orders.
	Seed uint64
	// Start and Span: approve dates are spread evenly over [Start, Start+Span); default
	// the last 24 hours before the server clock.
	Start time.Time
	Span  time.Duration
	// MaxLines per order (1..MaxLines, default 3).
	MaxLines int
	// NotDropShipEvery: every n-th order is not a drop-ship order (F_DropShip = 0); 0 = all are.
	NotDropShipEvery int
}

type place struct {
	province, city string
	districts      []string
}

var places = []place{
	{"广东省", "深圳市", []string{"南山区", "福田区", "宝安区", "龙岗区"}},
	{"广东省", "广州市", []string{"天河区", "越秀区", "海珠区", "番禺区"}},
	{"浙江省", "杭州市", []string{"西湖区", "余杭区", "滨江区", "拱墅区"}},
	{"江苏省", "南京市", []string{"玄武区", "鼓楼区", "建邺区"}},
	{"江苏省", "苏州市", []string{"姑苏区", "工业园区", "吴中区"}},
	{"北京市", "北京市", []string{"朝阳区", "海淀区", "东城区", "丰台区"}},
	{"上海市", "上海市", []string{"浦东新区", "徐汇区", "静安区", "闵行区"}},
	{"天津市", "天津市", []string{"和平区", "南开区", "河西区"}},
	{"重庆市", "重庆市", []string{"渝中区", "江北区", "沙坪坝区"}},
	{"四川省", "成都市", []string{"锦江区", "武侯区", "高新区"}},
	{"湖北省", "武汉市", []string{"武昌区", "洪山区", "江汉区"}},
	{"湖南省", "长沙市", []string{"岳麓区", "芙蓉区", "天心区"}},
	{"山东省", "青岛市", []string{"市南区", "崂山区", "黄岛区"}},
	{"福建省", "厦门市", []string{"思明区", "湖里区", "集美区"}},
	{"河南省", "郑州市", []string{"金水区", "中原区", "二七区"}},
	{"广西壮族自治区", "南宁市", []string{"青秀区", "兴宁区", "西乡塘区"}},
	{"内蒙古自治区", "呼和浩特市", []string{"新城区", "赛罕区"}},
	{"新疆维吾尔自治区", "乌鲁木齐市", []string{"天山区", "沙依巴克区"}},
	{"宁夏回族自治区", "银川市", []string{"兴庆区", "金凤区"}},
	{"西藏自治区", "拉萨市", []string{"城关区"}},
	{"黑龙江省", "哈尔滨市", []string{"南岗区", "道里区"}},
	{"陕西省", "西安市", []string{"雁塔区", "碑林区", "未央区"}},
	{"云南省", "昆明市", []string{"五华区", "盘龙区"}},
	{"海南省", "海口市", []string{"龙华区", "美兰区"}},
	{"香港特别行政区", "香港", []string{"九龙城区", "湾仔区"}},
}

var (
	streets   = []string{"科技园路", "人民路", "中山路", "解放大道", "建设路", "长江路", "文化路", "滨海大道", "学府路", "华强北路"}
	surnames  = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"}
	givens    = []string{"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "建华"}
	phonePref = []string{"138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186", "187", "188", "177", "199"}
	products  = []struct {
		sku, name string
		price     float64
	}{
		{"SKU-1001", "保温杯 500ml", 59.9}, {"SKU-1002", "蓝牙耳机", 129}, {"SKU-1003", "充电宝 10000mAh", 89},
		{"SKU-2001", "乳胶枕", 199}, {"SKU-2002", "四件套 1.8m", 299}, {"SKU-3001", "电动牙刷", 159},
		{"SKU-3002", "洗面奶", 69.5}, {"SKU-4001", "坚果礼盒", 128}, {"SKU-4002", "茶叶 250g", 168},
		{"SKU-5001", "儿童积木", 99}, {"SKU-5002", "瑜伽垫", 79}, {"SKU-6001", "空气炸锅", 399},
	}
)

// SeedSalesOrders adds n realistic audited drop-ship sales orders (Chinese provinces and
// addresses, SKUs, quantities, approve dates spread over time), deterministic by seed, and
// returns their bill numbers.
func (s *Server) SeedSalesOrders(o SeedOptions) ([]string, error) {
	if o.MaxLines <= 0 {
		o.MaxLines = 3
	}
	if o.Span <= 0 {
		o.Span = 24 * time.Hour
	}
	if o.Start.IsZero() {
		o.Start = s.opts.Now().Add(-o.Span)
	}
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	s.mu.Lock()
	defer s.mu.Unlock()
	nums := make([]string, 0, o.Orders)
	for i := 0; i < o.Orders; i++ {
		p := places[r.IntN(len(places))]
		dist := p.districts[r.IntN(len(p.districts))]
		city := p.city
		if city == p.province {
			city = ""
		}
		addr := fmt.Sprintf("%s%s%s%s%d号%d栋%d室", p.province, city, dist, streets[r.IntN(len(streets))],
			1+r.IntN(300), 1+r.IntN(30), 101+r.IntN(2000))
		name := surnames[r.IntN(len(surnames))] + givens[r.IntN(len(givens))]
		phone := phonePref[r.IntN(len(phonePref))] + fmt.Sprintf("%08d", r.IntN(100000000))
		approve := o.Start.Add(time.Duration(float64(o.Span) * float64(i) / float64(max(o.Orders, 1))))
		approve = approve.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
		so := SalesOrder{
			Customer: fmt.Sprintf("CUST%04d", 1+r.IntN(50)), LinkMan: name, Phone: phone, Address: addr,
			DropShip: o.NotDropShipEvery == 0 || (i+1)%o.NotDropShipEvery != 0,
			Date:     approve.Add(-time.Duration(1+r.IntN(120)) * time.Minute), ApproveDate: approve,
		}
		n := 1 + r.IntN(o.MaxLines)
		used := map[int]bool{}
		for j := 0; j < n; j++ {
			k := r.IntN(len(products))
			if used[k] {
				continue
			}
			used[k] = true
			pr := products[k]
			so.Lines = append(so.Lines, SalesLine{SKU: pr.sku, Name: pr.name, Qty: float64(1 + r.IntN(5)), TaxPrice: pr.price})
		}
		no, _, err := s.addSalesOrder(so)
		if err != nil {
			return nums, err
		}
		nums = append(nums, no)
	}
	return nums, nil
}
