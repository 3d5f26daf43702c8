package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// flags of the command line.
type flags struct {
	configFile      string
	readyFile       string
	shutdownTimeout time.Duration
	// Without --config: N suppliers named supplier-1…N built from the flags below.
	suppliers          int
	host               string
	basePort           int
	latency, jitter    time.Duration
	errorRate          float64
	throttleRate       float64
	timeoutRate        float64
	retryAfter         time.Duration
	shipDelay          time.Duration
	callbackSecretFile string
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("dropship-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.configFile, "config", "", "YAML file with a `suppliers:` list (the flags below are then ignored)")
	fs.StringVar(&f.readyFile, "ready-file", "", "write the listening addresses as JSON to this file once all simulators listen")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to wait for requests in flight on SIGINT/SIGTERM")
	fs.IntVar(&f.suppliers, "suppliers", 1, "number of suppliers (supplier-1…N) when there is no --config")
	fs.StringVar(&f.host, "host", "127.0.0.1", "address to listen on")
	fs.IntVar(&f.basePort, "base-port", 0, "port of supplier-1, the next ones count up; 0 picks free ports")
	fs.DurationVar(&f.latency, "latency", 0, "fixed latency added to every request")
	fs.DurationVar(&f.jitter, "jitter", 0, "uniform random latency on top of --latency")
	fs.Float64Var(&f.errorRate, "error-rate", 0, "fraction of orders answered 503")
	fs.Float64Var(&f.throttleRate, "throttle-rate", 0, "fraction of orders answered 429")
	fs.Float64Var(&f.timeoutRate, "timeout-rate", 0, "fraction of orders that hang past the client's timeout")
	fs.DurationVar(&f.retryAfter, "retry-after", time.Second, "Retry-After of 429 answers")
	fs.DurationVar(&f.shipDelay, "ship-delay", 30*time.Second, "time from acceptance to shipment (negative: never ship)")
	fs.StringVar(&f.callbackSecretFile, "callback-secret-file", "", "file holding the HMAC key shipment callbacks are signed with")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintln(stderr, err)
		return nil, err
	}
	return f, nil
}

// config is the --config file, or the configuration the flags describe.
func (f *flags) config() (*simConfig, error) {
	if f.configFile != "" {
		return loadConfig(f.configFile)
	}
	if f.suppliers < 1 || f.suppliers > 1000 {
		return nil, errors.New("--suppliers must be between 1 and 1000")
	}
	c := &simConfig{}
	for i := range f.suppliers {
		s := supplierSim{
			Name: fmt.Sprintf("supplier-%d", i+1), Listen: fmt.Sprintf("%s:0", f.host),
			Latency: config.D(f.latency), Jitter: config.D(f.jitter), ErrorRate: f.errorRate, ThrottleRate: f.throttleRate,
			TimeoutRate: f.timeoutRate, RetryAfter: config.D(f.retryAfter), ShipDelay: config.D(f.shipDelay),
			CallbackSecretFile: f.callbackSecretFile,
		}
		if f.basePort > 0 {
			s.Listen = fmt.Sprintf("%s:%d", f.host, f.basePort+i)
		}
		c.Suppliers = append(c.Suppliers, s)
	}
	return c, c.validate()
}
