package suppliertest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Profile is the simulator's behaviour that can change at runtime (SetProfile, or
// PUT /_sim/profile). Rates are fractions 0–1 of submissions; they are tried in the order
// timeout, error, throttle, soft rejection on one random draw, so their sum should stay ≤ 1.
type Profile struct {
	// Latency is added to every submission and status call; Jitter adds a uniform random
	// 0–Jitter on top.
	Latency time.Duration
	Jitter  time.Duration
	// TimeoutRate of submissions hang until the client gives up (or HangLimit passes).
	TimeoutRate float64
	// TimeoutAfterAccept makes those submissions record the order first and then hang, the
	// case where only an idempotency key saves the supplier from a duplicate.
	TimeoutAfterAccept bool
	// DropRate of submissions have their connection closed without an answer, as when the
	// supplier's process dies mid-request (the client sees EOF or a reset).
	DropRate float64
	// ErrorRate of submissions fail with ErrorStatus (503 by default; 500, 502, 408 or any
	// 4xx for classification tests).
	ErrorRate   float64
	ErrorStatus int
	// ThrottleRate of submissions get 429 with Retry-After (RetryAfter, in whole seconds,
	// or as an HTTP date when RetryAfterDate is set).
	ThrottleRate   float64
	RetryAfter     time.Duration
	RetryAfterDate bool
	// SoftRejectRate of submissions get HTTP 200 with a non-zero code ("out of stock"),
	// which an acceptedWhen of `code == 0` must treat as a rejection.
	SoftRejectRate float64
	// ShipDelay is how long after acceptance an order ships (its callback is sent and the
	// status endpoint says SHIPPED); negative means orders never ship.
	ShipDelay time.Duration
}

// profileJSON is Profile with duration strings.
type profileJSON struct {
	Latency            config.Duration `json:"latency"`
	Jitter             config.Duration `json:"jitter"`
	TimeoutRate        float64         `json:"timeoutRate"`
	TimeoutAfterAccept bool            `json:"timeoutAfterAccept,omitempty"`
	DropRate           float64         `json:"dropRate,omitempty"`
	ErrorRate          float64         `json:"errorRate"`
	ErrorStatus        int             `json:"errorStatus,omitempty"`
	ThrottleRate       float64         `json:"throttleRate"`
	RetryAfter         config.Duration `json:"retryAfter"`
	RetryAfterDate     bool            `json:"retryAfterDate,omitempty"`
	SoftRejectRate     float64         `json:"softRejectRate"`
	ShipDelay          config.Duration `json:"shipDelay"`
}

// MarshalJSON writes durations as strings ("20ms").
func (p Profile) MarshalJSON() ([]byte, error) {
	return json.Marshal(profileJSON{
		Latency: config.D(p.Latency), Jitter: config.D(p.Jitter), TimeoutRate: p.TimeoutRate,
		TimeoutAfterAccept: p.TimeoutAfterAccept, DropRate: p.DropRate, ErrorRate: p.ErrorRate, ErrorStatus: p.ErrorStatus,
		ThrottleRate: p.ThrottleRate, RetryAfter: config.D(p.RetryAfter), RetryAfterDate: p.RetryAfterDate,
		SoftRejectRate: p.SoftRejectRate, ShipDelay: config.D(p.ShipDelay),
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Profile) UnmarshalJSON(b []byte) error {
	var j profileJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Profile{
		Latency: j.Latency.Duration, Jitter: j.Jitter.Duration, TimeoutRate: j.TimeoutRate,
		TimeoutAfterAccept: j.TimeoutAfterAccept, DropRate: j.DropRate, ErrorRate: j.ErrorRate, ErrorStatus: j.ErrorStatus,
		ThrottleRate: j.ThrottleRate, RetryAfter: j.RetryAfter.Duration, RetryAfterDate: j.RetryAfterDate,
		SoftRejectRate: j.SoftRejectRate, ShipDelay: j.ShipDelay.Duration,
	}
	return nil
}

// Validate checks the rates and statuses.
func (p Profile) Validate() error {
	for name, r := range map[string]float64{"timeoutRate": p.TimeoutRate, "dropRate": p.DropRate, "errorRate": p.ErrorRate, "throttleRate": p.ThrottleRate, "softRejectRate": p.SoftRejectRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("cannot use profile: %s %v is outside 0–1", name, r)
		}
	}
	if p.ErrorStatus != 0 && (p.ErrorStatus < 400 || p.ErrorStatus > 599) {
		return fmt.Errorf("cannot use profile: errorStatus %d is not 4xx or 5xx", p.ErrorStatus)
	}
	if p.Latency < 0 || p.Jitter < 0 || p.RetryAfter < 0 {
		return fmt.Errorf("cannot use profile: latency, jitter and retryAfter must not be negative")
	}
	return nil
}

// Presets name fault profiles the demo and the health scenarios switch between. Each is
// derived from the server's base profile (the one it started with), keeping its ship delay.
const (
	PresetHealthy   = "healthy"   // the base profile
	PresetSlow      = "slow"      // base + 1.5s latency
	PresetFailing   = "failing"   // every submission 503
	PresetDown      = "down"      // every connection dropped without an answer
	PresetThrottled = "throttled" // every submission 429, Retry-After 1s
	PresetFlaky     = "flaky"     // 30% 503, 10% 429, 5% timeouts (after accepting)
)

// Preset returns the named preset over base.
func Preset(name string, base Profile) (Profile, error) {
	p := base
	switch name {
	case PresetHealthy:
	case PresetSlow:
		p.Latency += 1500 * time.Millisecond
	case PresetFailing:
		p.ErrorRate, p.ErrorStatus, p.ThrottleRate, p.TimeoutRate, p.DropRate, p.SoftRejectRate = 1, 503, 0, 0, 0, 0
	case PresetDown:
		p.DropRate, p.ErrorRate, p.ThrottleRate, p.TimeoutRate, p.SoftRejectRate = 1, 0, 0, 0, 0
	case PresetThrottled:
		p.ThrottleRate, p.RetryAfter, p.ErrorRate, p.TimeoutRate, p.DropRate, p.SoftRejectRate = 1, time.Second, 0, 0, 0, 0
	case PresetFlaky:
		p.ErrorRate, p.ErrorStatus, p.ThrottleRate, p.RetryAfter, p.TimeoutRate, p.TimeoutAfterAccept = 0.3, 503, 0.1, time.Second, 0.05, true
	default:
		return base, fmt.Errorf("cannot find preset %q: want healthy, slow, failing, down, throttled or flaky", name)
	}
	return p, nil
}
