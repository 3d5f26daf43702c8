package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// FieldError names one invalid field of the document by its path.
type FieldError struct {
	Field  string
	Reason string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// ValidationError is every problem Validate found.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	s := make([]string, len(v))
	for i, e := range v {
		s[i] = e.Error()
	}
	return "invalid dispatcher config: " + strings.Join(s, "; ")
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// MaxWeight is the largest base weight a supplier may have in a tier.
const MaxWeight = 10000

// Validate checks the whole document (call Default first) and returns a ValidationError
// listing every problem, or nil. The CRDs refuse the same mistakes at admission; this is
// the check for hand-written files and the last line of defence.
func (c *DispatcherConfig) Validate() error {
	var errs ValidationError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if c.APIVersion != APIVersion {
		bad("apiVersion", "must be %q", APIVersion)
	}
	if c.Kind != Kind {
		bad("kind", "must be %q", Kind)
	}
	if c.Policy.Name == "" {
		bad("policy.name", "is required")
	}
	if c.Mode != ModeLive && c.Mode != ModeShadow {
		bad("mode", "must be Live or Shadow, not %q", c.Mode)
	}
	if c.Split != SplitByLine && c.Split != SplitWholeOrder {
		bad("split", "must be ByLine or WholeOrder, not %q", c.Split)
	}
	c.validateSource(bad)
	names := map[string]bool{}
	for i, s := range c.Suppliers {
		p := fmt.Sprintf("suppliers[%d]", i)
		if s.Name == "" {
			bad(p+".name", "is required")
		} else if names[s.Name] {
			bad(p+".name", "duplicates supplier %q", s.Name)
		}
		names[s.Name] = true
		validateSupplier(p, &s, bad)
	}
	if len(c.Rules) == 0 {
		bad("rules", "must have at least one rule")
	}
	ruleNames := map[string]bool{}
	for i, r := range c.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		if r.Name == "" {
			bad(p+".name", "is required")
		} else if ruleNames[r.Name] {
			bad(p+".name", "duplicates rule %q", r.Name)
		}
		ruleNames[r.Name] = true
		switch r.Strategy {
		case StrategyWeighted, StrategyCheapest, StrategyFastest, StrategyPriority:
		default:
			bad(p+".strategy", "must be Weighted, Cheapest, Fastest or Priority, not %q", r.Strategy)
		}
		if len(r.Tiers) == 0 {
			bad(p+".tiers", "must have at least one tier")
		}
		for j, t := range r.Tiers {
			tp := fmt.Sprintf("%s.tiers[%d]", p, j)
			if len(t.Suppliers) == 0 {
				bad(tp+".suppliers", "must name at least one supplier")
			}
			var sum int64
			for k, ws := range t.Suppliers {
				sp := fmt.Sprintf("%s.suppliers[%d]", tp, k)
				if !names[ws.Name] {
					bad(sp+".name", "names supplier %q, which is not in suppliers", ws.Name)
				}
				if ws.Weight < 0 || ws.Weight > MaxWeight {
					bad(sp+".weight", "must be between 0 and %d", MaxWeight)
				}
				sum += int64(ws.Weight)
			}
			if len(t.Suppliers) > 0 && sum == 0 {
				bad(tp+".suppliers", "weights must not all be zero")
			}
		}
	}
	a := c.Adaptive
	if a.FailurePercent < 0 || a.FailurePercent > 100 {
		bad("adaptive.failurePercent", "must be between 0 and 100")
	}
	if a.MaxEjectionPercent < 0 || a.MaxEjectionPercent > 100 {
		bad("adaptive.maxEjectionPercent", "must be between 0 and 100")
	}
	switch c.Store.Type {
	case StoreSQLite:
		if c.Store.Path == "" {
			bad("store.path", "is required for the SQLite store")
		}
	case StorePostgres:
		if c.Store.DSNFile == "" {
			bad("store.dsnFile", "is required for the Postgres store")
		}
	default:
		bad("store.type", "must be SQLite or Postgres, not %q", c.Store.Type)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (c *DispatcherConfig) validateSource(bad func(string, string, ...any)) {
	s := c.Source
	if s.Name == "" {
		bad("source.name", "is required")
	}
	if (s.K3Cloud == nil) == (s.Webhook == nil) {
		bad("source", "must set exactly one of k3cloud or webhook")
	}
	if k := s.K3Cloud; k != nil {
		validateConnection("source.k3cloud", &k.K3CloudConnection, bad)
		if k.SalesOrders.PageSize < 1 || k.SalesOrders.PageSize > 10000 {
			bad("source.k3cloud.salesOrders.pageSize", "must be between 1 and 10000")
		}
		if k.TrackingWriteBack != nil && k.TrackingWriteBack.TrackingNumberField == "" {
			bad("source.k3cloud.trackingWriteBack.trackingNumberField", "is required")
		}
	}
	if w := s.Webhook; w != nil && w.SecretDir == "" {
		bad("source.webhook.secretDir", "is required")
	}
}

func validateConnection(p string, k *K3CloudConnection, bad func(string, string, ...any)) {
	if u, err := url.Parse(k.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(p+".url", "must be an http or https URL")
	}
	if k.AcctID == "" {
		bad(p+".acctID", "is required")
	}
	switch k.Auth.Mode {
	case K3CloudAuthSignature, K3CloudAuthAppSecret, K3CloudAuthSign, K3CloudAuthPassword:
	default:
		bad(p+".auth.mode", "must be Signature, AppSecret, Sign or Password, not %q", k.Auth.Mode)
	}
	if k.Auth.CredentialsDir == "" {
		bad(p+".auth.credentialsDir", "is required")
	}
}

func validateSupplier(p string, s *Supplier, bad func(string, string, ...any)) {
	if (s.HTTP == nil) == (s.K3Cloud == nil) {
		bad(p, "must set exactly one of http or k3cloud")
	}
	if h := s.HTTP; h != nil {
		if u, err := url.Parse(h.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(p+".http.url", "must be an http or https URL")
		}
		switch h.Auth.Type {
		case HTTPAuthNone:
		case HTTPAuthBearer, HTTPAuthBasic, HTTPAuthAPIKey, HTTPAuthHMAC:
			if h.Auth.SecretDir == "" {
				bad(p+".http.auth.secretDir", "is required for auth type %s", h.Auth.Type)
			}
		default:
			bad(p+".http.auth.type", "must be None, Bearer, Basic, APIKey or HMAC, not %q", h.Auth.Type)
		}
		switch h.Shipments.Mode {
		case ShipmentsCallback:
		case ShipmentsPoll:
			if h.Shipments.PollURL == "" {
				bad(p+".http.shipments.pollURL", "is required in Poll mode")
			}
		default:
			bad(p+".http.shipments.mode", "must be Callback or Poll, not %q", h.Shipments.Mode)
		}
	}
	if k := s.K3Cloud; k != nil {
		validateConnection(p+".k3cloud", &k.K3CloudConnection, bad)
		if k.CustomerNumber == "" {
			bad(p+".k3cloud.customerNumber", "is required")
		}
	}
	if len(s.Regions) == 0 {
		bad(p+".regions", "must name at least one province, or \"*\"")
	}
	if _, err := time.LoadLocation(s.Capacity.Timezone); err != nil && s.Capacity.Timezone != "" {
		bad(p+".capacity.timezone", "is not a known time zone: %q", s.Capacity.Timezone)
	}
	if s.Capacity.Cutoff != "" && !hhmm.MatchString(s.Capacity.Cutoff) {
		bad(p+".capacity.cutoff", "must be HH:MM, not %q", s.Capacity.Cutoff)
	}
	if j := s.Delivery.Retry.Jitter; j < 0 || j > 1 {
		bad(p+".delivery.retry.jitter", "must be between 0 and 1")
	}
	if s.Delivery.Retry.Attempts < 1 {
		bad(p+".delivery.retry.attempts", "must be at least 1")
	}
}
