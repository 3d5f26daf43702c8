package supplier

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// MaxCallbackBytes caps a shipment callback body.
const MaxCallbackBytes = 64 << 10

// Callback is the body a supplier POSTs to the dispatcher's callback URL when a line has
// shipped. It names the order by SupplierOrderID, IdempotencyKey or both.
type Callback struct {
	SupplierOrderID string    `json:"supplierOrderId,omitempty"`
	IdempotencyKey  string    `json:"idempotencyKey,omitempty"`
	TrackingNo      string    `json:"trackingNo"`
	Carrier         string    `json:"carrier,omitempty"`
	ShippedAt       time.Time `json:"shippedAt,omitzero"`
}

// Shipment returns the canonical shipment the callback reports.
func (c Callback) Shipment() order.Shipment {
	return order.Shipment{Carrier: c.Carrier, TrackingNo: c.TrackingNo, ShippedAt: c.ShippedAt}
}

// CallbackSigningString is what a callback signature covers:
//
//	timestamp + "\n" + hex(sha256(body))
//
// with timestamp in Unix seconds (the X-Dropship-Timestamp header). The path is left out
// so that a proxy or ingress rewriting it does not break verification.
func CallbackSigningString(timestamp string, body []byte) string {
	sum := sha256.Sum256(body)
	return timestamp + "\n" + hex.EncodeToString(sum[:])
}

// SignCallback sets X-Dropship-Timestamp and X-Dropship-Signature for a callback body.
func SignCallback(h http.Header, secret []byte, body []byte, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, Sign(secret, CallbackSigningString(ts, body)))
}

// VerifyCallback checks a callback's signature (constant-time) and that its timestamp is
// within MaxClockSkew of now. Errors wrap ErrSignatureMissing, ErrSignatureMismatch or
// ErrTimestampStale.
func VerifyCallback(secret []byte, h http.Header, body []byte, now time.Time) error {
	return verify(secret, h, now, func(ts string) string { return CallbackSigningString(ts, body) })
}

// ParseCallback decodes and checks a callback body. Unknown fields are ignored (suppliers
// add their own); the tracking number and one of the order ids are required.
func ParseCallback(body []byte) (Callback, error) {
	var c Callback
	if len(body) > MaxCallbackBytes {
		return c, fmt.Errorf("cannot parse callback: body is larger than %d bytes", MaxCallbackBytes)
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return Callback{}, fmt.Errorf("cannot parse callback: %w", err)
	}
	var bad []string
	check := func(field, v string, required bool) {
		switch {
		case required && strings.TrimSpace(v) == "":
			bad = append(bad, field+" is required")
		case !utf8.ValidString(v):
			bad = append(bad, field+" is not valid UTF-8")
		case len(v) > 256:
			bad = append(bad, field+" is longer than 256 bytes")
		}
	}
	check("trackingNo", c.TrackingNo, true)
	check("carrier", c.Carrier, false)
	check("supplierOrderId", c.SupplierOrderID, false)
	check("idempotencyKey", c.IdempotencyKey, false)
	if c.SupplierOrderID == "" && c.IdempotencyKey == "" {
		bad = append(bad, "one of supplierOrderId and idempotencyKey is required")
	}
	if len(bad) > 0 {
		return Callback{}, fmt.Errorf("cannot accept callback: %s", strings.Join(bad, "; "))
	}
	return c, nil
}
