package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// SimOptions shape the simulated world.
type SimOptions struct {
	// Orders are seeded into the ERP before anything starts.
	Orders int
	// TrickleOrders more arrive over TrickleFor, in ticks of a second (0: none).
	TrickleOrders int
	TrickleFor    time.Duration
	// Latency and Jitter of every supplier's answers; ShipDelay from acceptance to the
	// shipment (tracking number) callback or poll.
	Latency, Jitter, ShipDelay time.Duration
}

// simEndpoint is one entry of dropship-sim's ready file.
type simEndpoint struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Orders string `json:"orders"`
	Admin  string `json:"admin"`
	AcctID string `json:"acctID"`
}

type simReady struct {
	Suppliers []simEndpoint `json:"suppliers"`
	K3Cloud   []simEndpoint `json:"k3cloud"`
}

// simConfig writes dropship-sim's config: one supplier simulator per Supplier of the
// manifests demanding the auth its spec names with the generated credentials, and the
// K3Cloud simulator with the OrderSource's data centre and integration user.
func simConfig(m *manifests, o SimOptions) ([]byte, error) {
	type auth struct {
		Type       string `json:"type,omitempty"`
		HeaderName string `json:"headerName,omitempty"`
		Token      string `json:"token,omitempty"`
		Username   string `json:"username,omitempty"`
		Password   string `json:"password,omitempty"`
		APIKey     string `json:"apiKey,omitempty"`
		HMACSecret string `json:"hmacSecret,omitempty"`
	}
	type sup struct {
		Name           string `json:"name"`
		Latency        string `json:"latency,omitempty"`
		Jitter         string `json:"jitter,omitempty"`
		ShipDelay      string `json:"shipDelay"`
		CallbackSecret string `json:"callbackSecret,omitempty"`
		Auth           auth   `json:"auth,omitempty"`
	}
	type trickle struct {
		Every  string `json:"every"`
		Orders int    `json:"orders"`
		Total  int    `json:"total"`
	}
	type seed struct {
		Orders int    `json:"orders"`
		Seed   uint64 `json:"seed"`
		Span   string `json:"span"`
	}
	type k3 struct {
		AcctID    string   `json:"acctID"`
		Username  string   `json:"username"`
		AppID     string   `json:"appID"`
		AppSecret string   `json:"appSecret"`
		Seed      seed     `json:"seed"`
		Trickle   *trickle `json:"trickle,omitempty"`
	}
	var cfg struct {
		K3Cloud   k3    `json:"k3cloud"`
		Suppliers []sup `json:"suppliers"`
	}
	src := m.of("OrderSource")
	if len(src) != 1 {
		return nil, fmt.Errorf("want one OrderSource in the manifests, found %d", len(src))
	}
	cred := m.secrets[src[0].str("spec", "k3cloud", "auth", "credentialsSecretRef", "name")]
	cfg.K3Cloud = k3{AcctID: src[0].str("spec", "k3cloud", "acctID"), Username: cred["username"], AppID: cred["appID"],
		AppSecret: cred["appSecret"], Seed: seed{Orders: o.Orders, Seed: 42, Span: "6h"}}
	if o.TrickleOrders > 0 {
		ticks := max(int(o.TrickleFor/time.Second), 1)
		cfg.K3Cloud.Trickle = &trickle{Every: "1s", Orders: (o.TrickleOrders + ticks - 1) / ticks, Total: o.TrickleOrders}
	}
	for _, s := range m.of("Supplier") {
		h := object(asMap(s.field("spec", "endpoint", "http")))
		if h == nil {
			return nil, fmt.Errorf("supplier %s has no HTTP endpoint: config/demo must point it at a simulator", s.name())
		}
		sec := m.secrets[h.str("auth", "secretRef", "name")]
		a := auth{Type: h.str("auth", "type"), HeaderName: h.str("auth", "headerName"), Token: sec["token"],
			Username: sec["username"], Password: sec["password"], APIKey: sec["apiKey"], HMACSecret: sec["hmacSecret"]}
		e := sup{Name: s.name(), Latency: o.Latency.String(), Jitter: o.Jitter.String(), ShipDelay: o.ShipDelay.String(), Auth: a}
		if h.str("shipments", "mode") != "Poll" {
			e.CallbackSecret = m.secrets[h.str("shipments", "callbackSecretRef", "name")]["callbackSecret"]
		}
		cfg.Suppliers = append(cfg.Suppliers, e)
	}
	return yaml.Marshal(cfg)
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// startSim starts dropship-sim and waits for its ready file.
func startSim(ctx context.Context, bin, dir string, cfg []byte) (*process, *simReady, error) {
	cfgPath, ready := filepath.Join(dir, "sim.yaml"), filepath.Join(dir, "sim-ready.json")
	_ = os.Remove(ready)
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, nil, fmt.Errorf("cannot write simulator config: %w", err)
	}
	p, err := startProcess("dropship-sim", bin, filepath.Join(dir, "dropship-sim.log"), nil, "--config", cfgPath, "--ready-file", ready)
	if err != nil {
		return nil, nil, err
	}
	for {
		if b, err := os.ReadFile(ready); err == nil {
			r := &simReady{}
			if err := json.Unmarshal(b, r); err != nil {
				return p, nil, fmt.Errorf("cannot read the simulators' ready file: %w", err)
			}
			if len(r.K3Cloud) != 1 {
				return p, nil, fmt.Errorf("dropship-sim started %d K3Cloud simulators, want 1", len(r.K3Cloud))
			}
			return p, r, nil
		}
		if done, err := p.exited(); done {
			return p, nil, fmt.Errorf("dropship-sim exited before it was ready, see %s: %w", filepath.Join(dir, "dropship-sim.log"), errors.Join(err, errExited))
		}
		select {
		case <-ctx.Done():
			return p, nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// getJSON GETs url into v.
func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("cannot get %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("cannot get %s: %s: %s", url, resp.Status, bytes.TrimSpace(b))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (e *Env) supplierSim(name string) (simEndpoint, error) {
	for _, s := range e.ready.Suppliers {
		if s.Name == name {
			return s, nil
		}
	}
	return simEndpoint{}, fmt.Errorf("no simulator for supplier %q", name)
}

// SupplierNames are the simulated suppliers, in order.
func (e *Env) SupplierNames() []string {
	var out []string
	for _, s := range e.ready.Suppliers {
		out = append(out, s.Name)
	}
	return out
}

// SupplierStats reads a supplier simulator's counters from its admin API.
func (e *Env) SupplierStats(ctx context.Context, name string) (suppliertest.Stats, error) {
	var st suppliertest.Stats
	s, err := e.supplierSim(name)
	if err != nil {
		return st, err
	}
	return st, getJSON(ctx, s.Admin+"stats", &st)
}

// SetSupplierProfile replaces a supplier simulator's fault profile through its admin API
// (PUT /_sim/profile): the way the demo makes supplier C slow.
func (e *Env) SetSupplierProfile(ctx context.Context, name string, p suppliertest.Profile) error {
	s, err := e.supplierSim(name)
	if err != nil {
		return err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.Admin+"profile", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("cannot change the profile of %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("cannot change the profile of %s: %s: %s", name, resp.Status, strings.TrimSpace(string(b)))
	}
	return nil
}

// SupplierProfile reads a supplier simulator's current profile.
func (e *Env) SupplierProfile(ctx context.Context, name string) (suppliertest.Profile, error) {
	var p suppliertest.Profile
	s, err := e.supplierSim(name)
	if err != nil {
		return p, err
	}
	return p, getJSON(ctx, s.Admin+"profile", &p)
}
