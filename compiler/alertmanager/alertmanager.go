// Package alertmanager is the Alertmanager target: it writes
// alertmanager/alertmanager.yml (route tree, receivers, inhibitions), the
// notification templates it references, and routing.md, the receivers and
// silencers of every alert the generated Prometheus rules can emit.
//
// The config is checked with the alertmanager module's own loader before it
// is returned, and routing.md is computed with the module's route tree and
// inhibit rules, so what reviewers read is what Alertmanager does.
package alertmanager

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/prometheus/alertmanager/template"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
)

// Paths of the generated files, relative to out/.
const (
	ConfigPath   = "alertmanager/alertmanager.yml"
	TemplatePath = "alertmanager/templates/stackc.tmpl"
	RoutingPath  = "alertmanager/routing.md"
)

// Templates is the notification template file shipped beside the config.
//
//go:embed templates/stackc.tmpl
var Templates string

// Emit writes the Alertmanager config, its templates and the routing
// expectations for st.
func Emit(st *model.Stack) ([]artifact.File, error) {
	c, err := configFor(st)
	if err != nil {
		return nil, err
	}
	data, err := c.encode()
	if err != nil {
		return nil, err
	}
	cfg, err := LoadConfig(data)
	if err != nil {
		// The spec was validated, so this is a compiler bug; show the file.
		return nil, fmt.Errorf("internal: generated alertmanager.yml does not load: %w\n%s", err, data)
	}
	if err := checkTemplates(); err != nil {
		return nil, err
	}
	routing := renderRouting(st, cfg, Expectations(st, cfg))
	return []artifact.File{
		{Path: ConfigPath, Data: data},
		{Path: RoutingPath, Data: routing},
		{Path: TemplatePath, Data: []byte(Templates)},
	}, nil
}

// checkTemplates parses the shipped templates together with Alertmanager's
// defaults, as the server does at start.
func checkTemplates() error {
	t, err := template.New()
	if err != nil {
		return err
	}
	if err := t.Parse(strings.NewReader(Templates)); err != nil {
		return fmt.Errorf("internal: templates/stackc.tmpl: %w", err)
	}
	return nil
}
