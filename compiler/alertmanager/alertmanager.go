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
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"strings"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/template"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Paths of the generated files, relative to out/.
const (
	ConfigPath   = slo.AlertmanagerConfigPath
	TemplatePath = slo.AlertmanagerTemplatesDir + "/stackc.tmpl"
	RoutingPath  = "alertmanager/routing.md"
)

// Templates is the notification template file shipped beside the config.
//
//go:embed templates/stackc.tmpl
var Templates string

// Emit writes the Alertmanager config (and its Compose version, whose
// webhooks reach the inbox by its service name), its templates and the
// routing expectations for st.
func emitFiles(st *model.Stack) ([]artifact.File, error) {
	data, cfg, err := loadedConfig(st)
	if err != nil {
		return nil, err
	}
	inCompose, err := slo.InContainers(st, slo.AlertmanagerServer)
	if err != nil {
		return nil, err
	}
	composeData, _, err := loadedConfig(inCompose)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if err := checkTemplates(); err != nil {
		return nil, err
	}
	routing := renderRouting(st, cfg, Expectations(st, cfg))
	files := []artifact.File{
		{Path: ConfigPath, Data: data},
		{Path: RoutingPath, Data: routing},
		{Path: TemplatePath, Data: []byte(Templates)},
	}
	if !bytes.Equal(composeData, data) {
		files = append(files, artifact.File{Path: path.Join(slo.ComposeDir, ConfigPath), Data: composeData})
	}
	return files, nil
}

// loadedConfig writes the config for st and loads it back with the
// alertmanager module's own loader.
func loadedConfig(st *model.Stack) ([]byte, *config.Config, error) {
	c, err := configFor(st)
	if err != nil {
		return nil, nil, err
	}
	data, err := encode(st, c)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := LoadConfig(data)
	if err != nil {
		// The spec was validated, so this is a compiler bug; show the file.
		return nil, nil, fmt.Errorf("internal: generated alertmanager.yml does not load: %w\n%s", err, data)
	}
	return data, cfg, nil
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

// Emit is the target (artifact.Emitter): it writes the files of emitFiles.
func Emit(st *model.Stack, _ artifact.Reader, out artifact.Writer) error {
	files, err := emitFiles(st)
	if err != nil {
		return err
	}
	return artifact.WriteAll(out, files...)
}
