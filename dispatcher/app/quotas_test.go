package app

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func TestQuotaStarts(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sh) }
	cases := map[string]struct {
		reason    string
		cap       config.Capacity
		now       time.Time
		day, hour time.Time
	}{
		"no cutoff":     {"the calendar day in Shanghai", config.Capacity{}, at(24, 10, 30), at(24, 0, 0), at(24, 10, 0)},
		"before cutoff": {"before 16:00 the day began at yesterday's cutoff", config.Capacity{Cutoff: "16:00"}, at(24, 10, 30), at(23, 16, 0), at(24, 10, 0)},
		"after cutoff":  {"at 16:30 tomorrow's business day began at 16:00", config.Capacity{Cutoff: "16:00"}, at(24, 16, 30), at(24, 16, 0), at(24, 16, 0)},
		"other zone":    {"UTC midnight, not Shanghai's", config.Capacity{Timezone: "UTC"}, time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			day, hour, err := quotaStarts(tc.cap, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Time{tc.day, tc.hour}, []time.Time{day, hour}, cmp.Comparer(time.Time.Equal)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
