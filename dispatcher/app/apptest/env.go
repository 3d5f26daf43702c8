// Package apptest builds what dispatcher tests and benchmarks run against: a fleet of
// simulated suppliers on loopback, a DispatcherConfig pointing at them with its secrets
// written to files, generated orders, and a signed intake client.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// IntakeSecret is the HMAC key of the intake webhook in every Env.
const IntakeSecret = "intake-secret-for-tests"

// Options shape an Env.
type Options struct {
	// Dir holds the config, the secrets and the SQLite file.
	Dir string
	// Weights are the suppliers' base weights in the one rule's tier 0; len is the number
	// of suppliers (default 3 × 1).
	Weights []int32
	// Profile is every simulator's starting behaviour.
	Profile suppliertest.Profile
	// Store is the journal (SQLite in Dir by default).
	Store config.Store
	Mode  config.Mode
	// Delivery and Capacity apply to every supplier.
	Delivery config.Delivery
	Capacity config.Capacity
	Adaptive config.Adaptive
}

// Env is a running supplier fleet and a config for a dispatcher to use it.
type Env struct {
	Dir        string
	Fleet      *suppliertest.Fleet
	Config     *config.DispatcherConfig
	ConfigPath string
}

// Name of supplier i.
func Name(i int) string { return fmt.Sprintf("sup-%02d", i) }

// New starts the simulators and writes the config to Dir/dispatcher.yaml.
func New(o Options) (*Env, error) {
	if len(o.Weights) == 0 {
		o.Weights = []int32{1, 1, 1}
	}
	if o.Store.Type == "" {
		o.Store = config.Store{Type: config.StoreSQLite, Path: filepath.Join(o.Dir, "journal.db")}
	}
	var sims []suppliertest.Options
	for i := range o.Weights {
		sims = append(sims, suppliertest.Options{Name: Name(i), Profile: o.Profile,
			CallbackSecret: "callback-" + Name(i), HangLimit: 10 * time.Second, CallbackWorkers: 8})
	}
	fleet, err := suppliertest.StartFleet(sims...)
	if err != nil {
		return nil, fmt.Errorf("cannot start supplier simulators: %w", err)
	}
	e := &Env{Dir: o.Dir, Fleet: fleet}
	if err := e.writeSecret("intake", config.SecretKeyHMACSecret, IntakeSecret); err != nil {
		return nil, err
	}
	cfg := &config.DispatcherConfig{
		Policy:   config.PolicyRef{Namespace: "test", Name: "main"},
		Mode:     o.Mode,
		Source:   config.Source{Name: "intake", Webhook: &config.WebhookSource{SecretDir: filepath.Join(o.Dir, "intake")}},
		Store:    o.Store,
		Server:   config.Server{Listen: "127.0.0.1:0"},
		Adaptive: o.Adaptive,
	}
	var tier config.Tier
	for i, w := range o.Weights {
		n := Name(i)
		if err := e.writeSecret(n, config.SecretKeyCallbackSecret, "callback-"+n); err != nil {
			return nil, err
		}
		cfg.Suppliers = append(cfg.Suppliers, config.Supplier{
			Name: n,
			HTTP: &config.HTTPEndpoint{
				URL:       fleet.Servers[i].OrdersURL(),
				Response:  config.HTTPResponse{AcceptedWhen: "code == 0"},
				Shipments: config.Shipments{Mode: config.ShipmentsCallback, CallbackSecretDir: filepath.Join(o.Dir, n)},
			},
			Regions:  []string{"*"},
			Capacity: o.Capacity,
			Delivery: o.Delivery,
		})
		tier.Suppliers = append(tier.Suppliers, config.WeightedSupplier{Name: n, Weight: w})
	}
	cfg.Rules = []config.Rule{{Name: "all", Tiers: []config.Tier{tier}}}
	cfg.Default()
	if err := cfg.Validate(); err != nil {
		_ = fleet.Close()
		return nil, err
	}
	e.Config = cfg
	if err := e.WriteConfig(); err != nil {
		_ = fleet.Close()
		return nil, err
	}
	return e, nil
}

// WriteConfig writes Config to ConfigPath (Dir/dispatcher.yaml).
func (e *Env) WriteConfig() error {
	b, err := config.Marshal(e.Config)
	if err != nil {
		return err
	}
	e.ConfigPath = filepath.Join(e.Dir, "dispatcher.yaml")
	if err := os.WriteFile(e.ConfigPath, b, 0o600); err != nil {
		return fmt.Errorf("cannot write config %q: %w", e.ConfigPath, err)
	}
	return nil
}

func (e *Env) writeSecret(dir, key, value string) error {
	d := filepath.Join(e.Dir, dir)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return fmt.Errorf("cannot create secret dir %q: %w", d, err)
	}
	if err := os.WriteFile(filepath.Join(d, key), []byte(value), 0o600); err != nil {
		return fmt.Errorf("cannot write secret %q: %w", key, err)
	}
	return nil
}

// Close stops the simulators.
func (e *Env) Close() error { return e.Fleet.Close() }

// Ledger sums the simulators' stats.
func (e *Env) Ledger() (accepted, duplicates, requests uint64) {
	for _, s := range e.Fleet.Stats() {
		accepted += s.Accepted
		duplicates += s.Duplicates
		requests += s.Requests
	}
	return
}

var provinces = []string{"广东省", "浙江省", "江苏省", "北京市", "四川省"}

// Orders returns n valid one-line orders with bill numbers prefix-<from+i>.
func Orders(prefix string, from, n int) []*order.Order {
	out := make([]*order.Order, n)
	for i := range out {
		seq := from + i
		out[i] = &order.Order{
			Source: "intake", BillNo: prefix + "-" + strconv.Itoa(seq), Currency: "CNY",
			ShipTo: order.ShipTo{Name: "张三", Phone: "13800138000", Province: provinces[seq%len(provinces)],
				City: "某市", Address: "某区某路" + strconv.Itoa(seq) + "号"},
			Lines: []order.Line{{EntryID: "1", SKU: "SKU-" + strconv.Itoa(seq%7), Quantity: 1, UnitPrice: 9.9}},
		}
	}
	return out
}

// Client posts signed orders to a dispatcher.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// NewClient returns a client for the dispatcher at addr (host:port).
func NewClient(addr string) *Client {
	return &Client{BaseURL: "http://" + addr, HTTP: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// Post signs and posts a batch of orders; it returns the HTTP status and body.
func (c *Client) Post(ctx context.Context, orders []*order.Order) (int, []byte, error) {
	body, err := json.Marshal(orders)
	if err != nil {
		return 0, nil, err
	}
	return c.PostRaw(ctx, body)
}

// PostRaw signs and posts a body.
func (c *Client) PostRaw(ctx context.Context, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/v1/orders", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	supplier.SignCallback(req.Header, []byte(IntakeSecret), body, time.Now())
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Get fetches a path and decodes the JSON answer into v (when v is not nil).
func (c *Client) Get(ctx context.Context, path string, v any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}
