package config

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadStandalone(t *testing.T) {
	c, err := Load("testdata/standalone.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.Suppliers[0].Delivery.Retry.Attempts; got != DefaultRetryAttempts {
		t.Errorf("retry attempts default = %d, want %d", got, DefaultRetryAttempts)
	}
	if got := c.Suppliers[1].HTTP.Auth.Type; got != HTTPAuthNone {
		t.Errorf("auth default = %q, want None", got)
	}
	if got := c.Suppliers[0].Capacity.Timezone; got != DefaultTimezone {
		t.Errorf("timezone default = %q", got)
	}
	if got := c.Suppliers[0].SLA.ShipWithin.Duration; got != 48*time.Hour {
		t.Errorf("shipWithin = %v", got)
	}
	if c.Rules[0].Strategy != StrategyWeighted {
		t.Errorf("strategy default = %q", c.Rules[0].Strategy)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c, err := Load("testdata/standalone.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode(Marshal(c)): %v\n%s", err, b)
	}
	if d := cmp.Diff(c, c2); d != "" {
		t.Errorf("round trip changed the document (-want +got):\n%s", d)
	}
	b2, _ := Marshal(c2)
	if string(b) != string(b2) {
		t.Error("Marshal is not stable")
	}
}

func TestValidateNamesField(t *testing.T) {
	base, err := os.ReadFile("testdata/standalone.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason  string
		replace [2]string
		field   string
	}{
		"unknown supplier": {"a tier naming a supplier that is not in suppliers is refused",
			[2]string{"{name: supplier-b, weight: 1}", "{name: nobody, weight: 1}"}, "rules[1].tiers[0].suppliers[0].name"},
		"zero weights": {"a tier whose weights are all zero can route nothing",
			[2]string{"{name: supplier-b, weight: 1}", "{name: supplier-b, weight: 0}"}, "rules[1].tiers[0].suppliers"},
		"weight too big": {"weights are bounded",
			[2]string{"weight: 70}", "weight: 10001}"}, "rules[0].tiers[0].suppliers[0].weight"},
		"bad cutoff": {"cutoff must be HH:MM",
			[2]string{`cutoff: "16:00"`, `cutoff: "25:00"`}, "suppliers[0].capacity.cutoff"},
		"bad mode": {"only Live and Shadow exist",
			[2]string{"mode: Live", "mode: Loud"}, "mode"},
		"duplicate rule": {"rule names are unique",
			[2]string{"name: default", "name: south"}, "rules[1].name"},
		"bad url": {"supplier URLs must be http(s)",
			[2]string{"http://127.0.0.1:9102/v1/orders", "ftp://x"}, "suppliers[1].http.url"},
		"unknown field": {"typos are refused, not ignored",
			[2]string{"split: ByLine", "split: ByLine\nsplitt: x"}, "splitt"},
		"bad duration": {"durations must parse",
			[2]string{"shipWithin: 48h", "shipWithin: two days"}, "two days"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := strings.Replace(string(base), tc.replace[0], tc.replace[1], 1)
			if in == string(base) {
				t.Fatalf("test case did not change the input")
			}
			_, err := Decode([]byte(in))
			if err == nil {
				t.Fatalf("%s: Decode accepted the document", tc.reason)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("%s: error %q does not name %q", tc.reason, err, tc.field)
			}
			var ve ValidationError
			if strings.Contains(tc.field, ".") && !errors.As(err, &ve) {
				t.Errorf("error is not a ValidationError: %T", err)
			}
		})
	}
}
