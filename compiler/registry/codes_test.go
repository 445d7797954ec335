package registry

import (
	"testing"

	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/runtime/instrument"
)

// TestClientClosedCodeAgrees checks that the runtime records a client that
// went away under the code the compiler counts series for (and no
// availability SLO counts).
func TestClientClosedCodeAgrees(t *testing.T) {
	if instrument.StatusClientClosedRequest != slo.ClientClosedRequest {
		t.Errorf("the runtime records disconnects as %d, the compiler expects %d", instrument.StatusClientClosedRequest, slo.ClientClosedRequest)
	}
	if instrument.StatusClientClosedRequest/100 == 5 {
		t.Errorf("code %d is a server error, which availability SLOs count", instrument.StatusClientClosedRequest)
	}
}
