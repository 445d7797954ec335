package registry

import (
	"testing"

	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/runtime/instrument"
)

// TestUnmatchedLabelsAgree: the runtime labels unmatched requests with the
// values the compiler's conventions (and so stackc verify) expect.
func TestUnmatchedLabelsAgree(t *testing.T) {
	if instrument.UnmatchedEndpoint != slo.UnmatchedEndpoint {
		t.Errorf("the runtime labels unmatched requests endpoint=%q, the compiler expects %q", instrument.UnmatchedEndpoint, slo.UnmatchedEndpoint)
	}
	if instrument.UnmatchedMethod != slo.UnmatchedMethod {
		t.Errorf("the runtime labels unmatched requests method=%q, the compiler expects %q", instrument.UnmatchedMethod, slo.UnmatchedMethod)
	}
}
