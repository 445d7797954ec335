package alertmanager

import (
	"fmt"
	"net/url"
	"sort"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/amconfig"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/routing"
	"github.com/stackc/stackc/compiler/slo"
)

// The config is written from the small structs of package amconfig rather
// than from the module's config types: those marshal every default and
// print secret URLs as "<secret>". What is written is then loaded back with
// config.Load, so the module still has the last word on validity.

// Template invocations of the shipped templates (templates/stackc.tmpl).
const (
	titleTemplate = `{{ template "stackc.title" . }}`
	textTemplate  = `{{ template "stackc.text" . }}`
)

// TemplateGlob is how the config names its templates: relative to the
// config file's directory, which is where Alertmanager resolves it, so the
// same file works in out/alertmanager and mounted at /etc/alertmanager.
const TemplateGlob = "templates/*.tmpl"

// configHeader follows slo.Header.
const configHeader = `# Routes, receivers and inhibitions for every alert of out/prometheus/rules;
# routing.md next to this file lists where each alert goes.
`

// configFor builds the config of st.
func configFor(st *model.Stack) (amconfig.Config, error) {
	a := st.Alerting
	root := amconfig.Route{
		Receiver:       a.DefaultReceiver,
		GroupBy:        a.GroupBy,
		GroupWait:      a.GroupWait.String(),
		GroupInterval:  a.GroupInterval.String(),
		RepeatInterval: a.RepeatInterval.String(),
	}
	for _, r := range a.Routes {
		root.Routes = append(root.Routes, routeFor(r))
	}
	cfg := amconfig.Config{
		Route:        root,
		InhibitRules: inhibitRules(st),
		Templates:    []string{TemplateGlob},
	}
	for _, r := range a.Receivers {
		rec, err := receiverFor(r)
		if err != nil {
			return cfg, err
		}
		cfg.Receivers = append(cfg.Receivers, rec)
	}
	return cfg, nil
}

// encode writes the config of st as YAML under a header comment.
func encode(st *model.Stack, cfg amconfig.Config) ([]byte, error) {
	data, err := artifact.YAML(slo.Header(st)+configHeader, cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding alertmanager.yml: %w", err)
	}
	return data, nil
}

func routeFor(r model.Route) amconfig.Route {
	keys := make([]string, 0, len(r.Match))
	for k := range r.Match {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := amconfig.Route{Receiver: r.Receiver, Continue: r.Continue}
	for _, k := range keys {
		out.Matchers = append(out.Matchers, equalMatcher(k, r.Match[k]))
	}
	if r.GroupWait != nil {
		out.GroupWait = r.GroupWait.String()
	}
	if r.GroupInterval != nil {
		out.GroupInterval = r.GroupInterval.String()
	}
	if r.RepeatInterval != nil {
		out.RepeatInterval = r.RepeatInterval.String()
	}
	return out
}

// equalMatcher writes name="value" with the module's own quoting, so any
// value parses back to itself.
func equalMatcher(name, value string) string {
	return (&labels.Matcher{Type: labels.MatchEqual, Name: name, Value: value}).String()
}

// anyValue matches alerts that carry the label at all; it separates SLO
// alerts from the per-service ones, which have no slo label.
func anyValue(name string) string {
	return (&labels.Matcher{Type: labels.MatchRegexp, Name: name, Value: ".+"}).String()
}

// inhibitRules are the two kinds of silencing the alerts need:
//   - a page of an SLO makes its ticket redundant (the rules already keep
//     the ticket's tiers quiet while and shortly after a page tier is
//     active; this covers a ticket that fired before the page began);
//   - a service that cannot be scraped has meaningless SLO alerts.
//
// Slower tiers need no inhibition: one alert per severity carries every
// tier, so a faster tier never arrives as a second alert.
//
// Every rule also requires equal static labels (env, cluster, ...), so two
// stacks sharing one Alertmanager never silence each other's alerts.
func inhibitRules(st *model.Stack) []amconfig.Inhibit {
	static := st.StaticLabelNames()
	sameSLO := append([]string{slo.LabelService, slo.LabelSLO}, static...)
	rules := []amconfig.Inhibit{{
		Name:           "page-silences-ticket",
		SourceMatchers: []string{equalMatcher(slo.LabelSeverity, string(slo.Page)), anyValue(slo.LabelSLO)},
		TargetMatchers: []string{equalMatcher(slo.LabelSeverity, string(slo.Ticket)), anyValue(slo.LabelSLO)},
		Equal:          sameSLO,
	}}
	for _, svc := range st.Services {
		rules = append(rules, amconfig.Inhibit{
			Name:           svc.Name + "-target-down-silences-slos",
			SourceMatchers: []string{equalMatcher("alertname", slo.TargetDownAlertName(svc))},
			TargetMatchers: []string{anyValue(slo.LabelSLO)},
			Equal:          append([]string{slo.LabelService}, static...),
		})
	}
	return rules
}

func receiverFor(r model.Receiver) (amconfig.Receiver, error) {
	out := amconfig.Receiver{Name: r.Name}
	switch r.Type {
	case model.Webhook:
		// The spec refuses URLs with credentials; checking again here keeps
		// a model built some other way from leaking one into out/.
		if u, err := url.Parse(r.URL); err == nil && u.User != nil {
			if _, hasPassword := u.User.Password(); hasPassword {
				return out, fmt.Errorf("receiver %s: webhook URL carries a password; use urlFile", r.Name)
			}
		}
		out.WebhookConfigs = []amconfig.Webhook{{URL: r.URL, URLFile: r.URLFile, SendResolved: r.SendResolved}}
	case model.Email:
		out.EmailConfigs = []amconfig.Email{{
			To: r.To, From: r.From, Smarthost: r.Smarthost,
			AuthUsername: r.AuthUsername, AuthPasswordFile: r.AuthPasswordFile,
			Headers: map[string]string{"Subject": titleTemplate},
			Text:    textTemplate, SendResolved: r.SendResolved,
		}}
	case model.Slack:
		out.SlackConfigs = []amconfig.Slack{{
			APIURLFile: r.APIURLFile, Channel: r.Channel,
			Title: titleTemplate, Text: textTemplate, SendResolved: r.SendResolved,
		}}
	case model.PagerDuty:
		out.PagerdutyConfigs = []amconfig.PagerDuty{{
			RoutingKeyFile: r.RoutingKeyFile, Description: titleTemplate, SendResolved: r.SendResolved,
		}}
	default:
		return out, fmt.Errorf("receiver %s: unknown type %q", r.Name, r.Type)
	}
	return out, nil
}

// LoadConfig parses an alertmanager.yml with the module's loader
// (routing.LoadConfig).
func LoadConfig(data []byte) (*config.Config, error) { return routing.LoadConfig(data) }
