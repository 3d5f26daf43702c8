package config

import "time"

// Defaults for operational knobs. The CRDs default the same values, so a config rendered
// by the operator and one written by hand behave alike.
const (
	DefaultListen           = ":8080"
	DefaultPollInterval     = 30 * time.Second
	DefaultPollOverlap      = 2 * time.Minute
	DefaultPageSize         = 2000
	DefaultERPTimeout       = 30 * time.Second
	DefaultERPConcurrency   = 4
	DefaultERPRate          = 10.0
	DefaultDeliveryTimeout  = 10 * time.Second
	DefaultRetryAttempts    = 8
	DefaultRetryInitial     = time.Second
	DefaultRetryMax         = 5 * time.Minute
	DefaultRetryJitter      = 0.2
	DefaultRetryAfterMax    = 2 * time.Minute
	DefaultTimezone         = "Asia/Shanghai"
	DefaultReportInterval   = 15 * time.Second
	DefaultShipmentPoll     = 5 * time.Minute
	DefaultWriteBackBatch   = 100
	DefaultAdaptiveWindow   = 5 * time.Minute
	DefaultMinRequests      = 20
	DefaultConsecutiveFails = 5
	DefaultFailurePercent   = 20
	DefaultBaseEjection     = time.Minute
	DefaultMaxEjection      = 10 * time.Minute
	DefaultMaxEjectionPct   = 50
	DefaultSlowShipFactor   = 1.5
	DefaultSalesOrderForm   = "SAL_SaleOrder"
	DefaultPurchaseForm     = "PUR_PurchaseOrder"
	DefaultWatermarkField   = "FApproveDate"
	DefaultPOBillType       = "CGDD01_SYS"
	DefaultSOBillType       = "XSDD01_SYS"
	DefaultPOLinkField      = "FDEMANDBILLENTRYID"
	DefaultLCID             = 2052
)

// Default fills unset operational knobs. It never fills a business decision (which
// supplier, which rule): those must be written.
func (c *DispatcherConfig) Default() {
	if c.APIVersion == "" {
		c.APIVersion = APIVersion
	}
	if c.Kind == "" {
		c.Kind = Kind
	}
	if c.Mode == "" {
		c.Mode = ModeLive
	}
	if c.Split == "" {
		c.Split = SplitByLine
	}
	if c.Server.Listen == "" {
		c.Server.Listen = DefaultListen
	}
	if c.Store.Type == "" {
		c.Store.Type = StoreSQLite
	}
	if c.Reporting.Interval.IsZero() {
		c.Reporting.Interval = D(DefaultReportInterval)
	}
	if k := c.Source.K3Cloud; k != nil {
		k.defaults()
		q := &k.SalesOrders
		setStr(&q.FormID, DefaultSalesOrderForm)
		setStr(&q.WatermarkField, DefaultWatermarkField)
		setDur(&q.PollInterval, DefaultPollInterval)
		setDur(&q.Overlap, DefaultPollOverlap)
		setInt(&q.PageSize, DefaultPageSize)
		p := &k.PurchaseOrders
		setStr(&p.FormID, DefaultPurchaseForm)
		setStr(&p.BillTypeNumber, DefaultPOBillType)
		setStr(&p.LinkField, DefaultPOLinkField)
		setInt(&p.BatchSize, DefaultWriteBackBatch)
		if t := k.TrackingWriteBack; t != nil {
			setInt(&t.BatchSize, DefaultWriteBackBatch)
		}
	}
	for i := range c.Suppliers {
		s := &c.Suppliers[i]
		setStr(&s.Capacity.Timezone, DefaultTimezone)
		setDur(&s.Delivery.Timeout, DefaultDeliveryTimeout)
		setDur(&s.Delivery.RetryAfterMax, DefaultRetryAfterMax)
		setInt(&s.Delivery.Retry.Attempts, DefaultRetryAttempts)
		setDur(&s.Delivery.Retry.Initial, DefaultRetryInitial)
		setDur(&s.Delivery.Retry.Max, DefaultRetryMax)
		if s.Delivery.Retry.Jitter == 0 {
			s.Delivery.Retry.Jitter = DefaultRetryJitter
		}
		if h := s.HTTP; h != nil {
			setStr(&h.Request.Method, "POST")
			if h.Auth.Type == "" {
				h.Auth.Type = HTTPAuthNone
			}
			if h.Auth.Type == HTTPAuthAPIKey {
				setStr(&h.Auth.HeaderName, "X-API-Key")
			}
			if h.Shipments.Mode == "" {
				h.Shipments.Mode = ShipmentsCallback
			}
			if h.Shipments.Mode == ShipmentsPoll {
				setDur(&h.Shipments.PollInterval, DefaultShipmentPoll)
			}
		}
		if k := s.K3Cloud; k != nil {
			k.defaults()
			setStr(&k.BillTypeNumber, DefaultSOBillType)
			setDur(&k.PollInterval, DefaultShipmentPoll)
		}
	}
	for i := range c.Rules {
		if c.Rules[i].Strategy == "" {
			c.Rules[i].Strategy = StrategyWeighted
		}
	}
	a := &c.Adaptive
	setDur(&a.Window, DefaultAdaptiveWindow)
	setInt(&a.MinRequests, DefaultMinRequests)
	setInt(&a.ConsecutiveFailures, DefaultConsecutiveFails)
	setInt(&a.FailurePercent, DefaultFailurePercent)
	setDur(&a.BaseEjectionTime, DefaultBaseEjection)
	setDur(&a.MaxEjectionTime, DefaultMaxEjection)
	setInt(&a.MaxEjectionPercent, DefaultMaxEjectionPct)
	if a.SlowShipFactor == 0 {
		a.SlowShipFactor = DefaultSlowShipFactor
	}
}

func (k *K3CloudConnection) defaults() {
	if k.LCID == 0 {
		k.LCID = DefaultLCID
	}
	setDur(&k.Timeout, DefaultERPTimeout)
	setInt(&k.MaxConcurrent, DefaultERPConcurrency)
	if k.RatePerSecond == 0 {
		k.RatePerSecond = DefaultERPRate
	}
	if k.Auth.Mode == "" {
		k.Auth.Mode = K3CloudAuthSignature
	}
}

func setStr(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setDur(p *Duration, v time.Duration) {
	if p.IsZero() {
		*p = D(v)
	}
}
