package pyregistry

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/slo"
)

// TestUnmatchedLabelsAgree: the Python registry labels unmatched requests
// with the values the compiler's conventions (and stackc verify) expect.
func TestUnmatchedLabelsAgree(t *testing.T) {
	for _, want := range []string{
		"UNMATCHED_ENDPOINT = " + strconv.Quote(slo.UnmatchedEndpoint) + "\n",
		"UNMATCHED_METHOD = " + strconv.Quote(slo.UnmatchedMethod) + "\n",
	} {
		if !strings.Contains(moduleSource, want) {
			t.Errorf("the module template lacks %q", want)
		}
	}
}
