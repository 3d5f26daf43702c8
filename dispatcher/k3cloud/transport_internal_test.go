package k3cloud

import (
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// TestTransportForcesHTTP11: at least one K3Cloud deployment fails over HTTP/2; an empty,
// non-nil TLSNextProto and ForceAttemptHTTP2=false keep Go on HTTP/1.1.
func TestTransportForcesHTTP11(t *testing.T) {
	tr := newTransport(config.K3CloudConnection{MaxConcurrent: 4, Timeout: config.D(config.DefaultERPTimeout)})
	if tr.ForceAttemptHTTP2 {
		t.Error("ForceAttemptHTTP2 is true")
	}
	if tr.TLSNextProto == nil || len(tr.TLSNextProto) != 0 {
		t.Errorf("TLSNextProto = %v, want an empty non-nil map", tr.TLSNextProto)
	}
	if tr.Protocols != nil && tr.Protocols.HTTP2() {
		t.Error("Protocols allows HTTP/2")
	}
}
