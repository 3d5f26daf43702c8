package supplier

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"text/template"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// PollData is the dot of a PollURL template.
type PollData struct {
	SupplierOrderID string
	IdempotencyKey  string
}

// poller asks a supplier's status URL whether an order has shipped.
type poller struct {
	url      *template.Template
	shipped  *boolExpr
	tracking string
	carrier  string
}

func newPoller(s config.Shipments) (*poller, error) {
	t, err := template.New("pollURL").Option("missingkey=error").Parse(s.PollURL)
	if err != nil {
		return nil, fmt.Errorf("cannot parse pollURL: %w", err)
	}
	p := &poller{url: t, tracking: s.TrackingNumberPath, carrier: s.CarrierPath}
	if p.tracking == "" {
		p.tracking = "trackingNo"
	}
	if p.shipped, err = compileBool(s.ShippedWhen); err != nil {
		return nil, fmt.Errorf("shippedWhen: %w", err)
	}
	return p, nil
}

// PollShipment asks the supplier's status URL about one order. It returns nil, nil until
// the answer satisfies ShippedWhen (or, without ShippedWhen, carries a tracking number).
// Non-2xx answers are classified like Submit's. It is an error to call it on an adapter
// whose supplier is not in Poll mode.
func (a *HTTP) PollShipment(ctx context.Context, supplierOrderID, idempotencyKey string) (*order.Shipment, error) {
	if a.poll == nil {
		return nil, &Error{Kind: Rejected, Message: fmt.Sprintf("supplier %q is not in Poll mode", a.name)}
	}
	var buf bytes.Buffer
	if err := a.poll.url.Execute(&buf, PollData{SupplierOrderID: url.PathEscape(supplierOrderID), IdempotencyKey: url.QueryEscape(idempotencyKey)}); err != nil {
		return nil, &Error{Kind: Rejected, Message: "pollURL template failed", Err: err}
	}
	ref, err := url.Parse(buf.String())
	if err != nil {
		return nil, &Error{Kind: Rejected, Message: "pollURL is not a URL", Err: err}
	}
	ans, err := a.do(ctx, http.MethodGet, a.url.ResolveReference(ref), nil, idempotencyKey)
	if err != nil {
		return nil, err
	}
	if ans.status < 200 || ans.status > 299 {
		return nil, ans.classify(a.msgPath, a.now())
	}
	if ans.jsonErr != nil {
		return nil, &Error{Kind: Transient, StatusCode: ans.status, Message: "status answer is not JSON", Response: ans.kept, Err: ans.jsonErr}
	}
	tracking := stringAt(ans.body, a.poll.tracking)
	if a.poll.shipped != nil {
		ok, err := a.poll.shipped.Eval(ans.body)
		if err != nil {
			return nil, &Error{Kind: Rejected, StatusCode: ans.status, Message: "shippedWhen failed", Response: ans.kept, Err: err}
		}
		if !ok {
			return nil, nil
		}
	} else if tracking == "" {
		return nil, nil
	}
	return &order.Shipment{TrackingNo: tracking, Carrier: stringAt(ans.body, a.poll.carrier), ShippedAt: a.now().UTC().Truncate(time.Second)}, nil
}
