// Package amconfig is alertmanager.yml as stackc writes it: the alertmanager
// target writes these types, and the kubernetes target decodes the file into
// them to build its AlertmanagerConfig. Targets may not import each other,
// so the one definition both must agree on lives here. The omitempty and
// flow options shape the written file only; decoding ignores them.
package amconfig

// Config is alertmanager.yml as the alertmanager target writes it and the
// kubernetes target reads it back (strictly: a field it does not know is an
// error).
type Config struct {
	Route        Route      `yaml:"route"`
	InhibitRules []Inhibit  `yaml:"inhibit_rules"`
	Receivers    []Receiver `yaml:"receivers"`
	Templates    []string   `yaml:"templates"`
}

// Route is a route and its child routes; durations are Prometheus durations (5m).
type Route struct {
	Receiver       string   `yaml:"receiver"`
	Matchers       []string `yaml:"matchers,omitempty"`
	Continue       bool     `yaml:"continue,omitempty"`
	GroupBy        []string `yaml:"group_by,omitempty,flow"`
	GroupWait      string   `yaml:"group_wait,omitempty"`
	GroupInterval  string   `yaml:"group_interval,omitempty"`
	RepeatInterval string   `yaml:"repeat_interval,omitempty"`
	Routes         []Route  `yaml:"routes,omitempty"`
}

// Inhibit is an inhibit rule, its matchers in Alertmanager syntax.
type Inhibit struct {
	Name           string   `yaml:"name"`
	SourceMatchers []string `yaml:"source_matchers"`
	TargetMatchers []string `yaml:"target_matchers"`
	Equal          []string `yaml:"equal,flow"`
}

// Receiver has the notifier configs of one of its types.
type Receiver struct {
	Name             string      `yaml:"name"`
	WebhookConfigs   []Webhook   `yaml:"webhook_configs,omitempty"`
	EmailConfigs     []Email     `yaml:"email_configs,omitempty"`
	SlackConfigs     []Slack     `yaml:"slack_configs,omitempty"`
	PagerdutyConfigs []PagerDuty `yaml:"pagerduty_configs,omitempty"`
}

// Webhook is a webhook_configs entry: the URL, or a file holding it.
type Webhook struct {
	URL          string `yaml:"url,omitempty"`
	URLFile      string `yaml:"url_file,omitempty"`
	SendResolved bool   `yaml:"send_resolved"`
}

// Email is an email_configs entry; the password is only ever a file.
type Email struct {
	To               string            `yaml:"to"`
	From             string            `yaml:"from"`
	Smarthost        string            `yaml:"smarthost"`
	AuthUsername     string            `yaml:"auth_username,omitempty"`
	AuthPasswordFile string            `yaml:"auth_password_file,omitempty"`
	Headers          map[string]string `yaml:"headers"`
	Text             string            `yaml:"text"`
	SendResolved     bool              `yaml:"send_resolved"`
}

// Slack is a slack_configs entry; the API URL is only ever a file.
type Slack struct {
	APIURLFile   string `yaml:"api_url_file"`
	Channel      string `yaml:"channel"`
	Title        string `yaml:"title"`
	Text         string `yaml:"text"`
	SendResolved bool   `yaml:"send_resolved"`
}

// PagerDuty is a pagerduty_configs entry; the routing key is only ever a file.
type PagerDuty struct {
	RoutingKeyFile string `yaml:"routing_key_file"`
	Description    string `yaml:"description"`
	SendResolved   bool   `yaml:"send_resolved"`
}
