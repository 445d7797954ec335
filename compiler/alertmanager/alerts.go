package alertmanager

import (
	"regexp"
	"strings"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Alert is one distinct label set the generated Prometheus rules can emit
// (slo.Alert).
type Alert = slo.Alert

// Alerts enumerates every alert the generated rules can emit (slo.Alerts).
func Alerts(st *model.Stack) []Alert { return slo.Alerts(st) }

// shellQuote quotes an argument for a POSIX shell when it holds anything
// beyond plain word characters.
func shellQuote(arg string) string {
	if shellWordRE.MatchString(arg) {
		return arg
	}
	return "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
}

var shellWordRE = regexp.MustCompile(`^[A-Za-z0-9_.,:/@%+=-]+$`)
