package alertmanager

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/tools"
)

// specWith returns a small spec whose alerting block is the given Jsonnet.
func specWith(alerting string) string {
	return `local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team='storefront', port=8080) {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
      slos: [s.availability('checkout-availability', endpoint='checkout', objective=99.9)],
    },
  ],
  alerting: ` + alerting + `,
}
`
}

// position is where text first occurs in src, as stack.jsonnet:line:col.
func position(src, text string) string {
	i := strings.Index(src, text)
	if i < 0 {
		return "(" + text + " not in the spec)"
	}
	line := strings.Count(src[:i], "\n") + 1
	col := i - strings.LastIndex(src[:i], "\n")
	return fmt.Sprintf("stack.jsonnet:%d:%d", line, col)
}

// TestBadAlertingSpecs feeds broken alerting blocks through the spec loader
// and wants one located error each, naming the problem.
func TestBadAlertingSpecs(t *testing.T) {
	cases := []struct {
		name     string
		alerting string
		path     string // JSON path of the problem
		message  string // part of the message
		at       string // the spec text the problem must point at
	}{
		{
			name: "route to an unknown receiver",
			alerting: `{
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [s.route({ severity: 'page' }, 'pager')],
  }`,
			path: "alerting.routes[0].receiver", message: `unknown receiver "pager"`, at: "'pager'",
		},
		{
			name: "matcher on a label no alert carries",
			alerting: `{
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [s.route({ env: 'prod' }, 'oncall')],
  }`,
			path: "alerting.routes[0].match.env", message: `no generated alert carries the label "env"`, at: "'prod'",
		},
		{
			name: "matcher on a value no alert has",
			alerting: `{
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [s.route({ severity: 'critical' }, 'oncall')],
  }`,
			path: "alerting.routes[0].match.severity", message: `no generated alert has severity="critical"`, at: "'critical'",
		},
		{
			name: "inline secret in a webhook URL",
			alerting: `{
    receivers: { oncall: s.webhook('https://bot:hunter2@hooks.example.com/alerts') },
  }`,
			path: "alerting.receivers.oncall.url", message: "secret", at: "'https://bot",
		},
		{
			name: "inline Slack webhook URL",
			alerting: `{
    receivers: { chat: s.webhook('https://hooks.slack.com/services/T0/B0/XXXX') },
  }`,
			path: "alerting.receivers.chat.url", message: "secret", at: "'https://hooks",
		},
		{
			name: "inline SMTP password",
			alerting: `{
    receivers: { mail: s.email(to='a@shop.example', from='b@shop.example', smarthost='smtp.shop.example:587', authUsername='alerts') { authPassword: 'hunter2' } },
  }`,
			path: "alerting.receivers.mail.authPassword", message: "authPassword", at: "'hunter2'",
		},
		{
			name: "inline PagerDuty routing key",
			alerting: `{
    receivers: { pager: { type: 'pagerduty', routingKey: 'abc123' } },
  }`,
			path: "alerting.receivers.pager.routingKey", message: "routingKey", at: "'abc123'",
		},
		{
			name:     "empty receiver list",
			alerting: `{ receivers: {} }`,
			path:     "alerting.receivers", message: "no receivers", at: "{}",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := specWith(tc.alerting)
			_, err := spec.Load("stack.jsonnet", []byte(src), spec.Options{})
			var se *spec.Error
			if !errors.As(err, &se) {
				t.Fatalf("want a *spec.Error, got %v", err)
			}
			var found *spec.Problem
			for i, p := range se.Problems {
				if p.Path == tc.path {
					found = &se.Problems[i]
				}
			}
			if found == nil {
				t.Fatalf("no problem at %s; got:\n%v", tc.path, err)
			}
			t.Log(found)
			if !strings.Contains(found.Message, tc.message) {
				t.Errorf("message %q lacks %q", found.Message, tc.message)
			}
			if want := position(src, tc.at); found.Pos != want {
				t.Errorf("problem at %q, want %s (at %s); problem: %s", found.Pos, want, tc.at, found)
			}
			if found.Hint == "" {
				t.Errorf("problem has no fix hint: %s", found)
			}
		})
	}
}

// TestEveryReceiverType compiles a spec with one receiver of each type and
// checks the config loads, passes amtool, and holds secrets only as files.
func TestEveryReceiverType(t *testing.T) {
	src := specWith(`{
    defaultReceiver: 'hook',
    receivers: {
      hook: s.webhook(urlFile='/etc/alertmanager/secrets/hook-url', sendResolved=false),
      mail: s.email(to='oncall@shop.example', from='am@shop.example', smarthost='smtp.shop.example:587',
                    authUsername='am', authPasswordFile='/etc/alertmanager/secrets/smtp'),
      chat: s.slack('#alerts', apiURLFile='/etc/alertmanager/secrets/slack-url'),
      pager: s.pagerduty(routingKeyFile='/etc/alertmanager/secrets/pd-key'),
    },
    routes: [
      s.route({ severity: 'page' }, 'pager', continue=true),
      s.route({ severity: 'page' }, 'chat'),
      s.route({ severity: 'ticket', team: 'storefront' }, 'mail'),
    ],
  }`)
	res, err := spec.Load("stack.jsonnet", []byte(src), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stack
	files := emit(t, st)
	cfgData := files[ConfigPath]
	cfg, err := LoadConfig(cfgData)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Receivers {
		n := len(r.WebhookConfigs) + len(r.EmailConfigs) + len(r.SlackConfigs) + len(r.PagerdutyConfigs)
		if n != 1 {
			t.Errorf("receiver %s has %d integrations, want 1", r.Name, n)
		}
	}
	for _, field := range []string{"url_file: /etc/alertmanager/secrets/hook-url", "auth_password_file: /etc/alertmanager/secrets/smtp",
		"api_url_file: /etc/alertmanager/secrets/slack-url", "routing_key_file: /etc/alertmanager/secrets/pd-key", "send_resolved: false"} {
		if !strings.Contains(string(cfgData), field) {
			t.Errorf("config lacks %q:\n%s", field, cfgData)
		}
	}
	// No inline secret field may appear in out/.
	inline := regexp.MustCompile(`(?m)^\s*-?\s*(auth_password|auth_secret|api_url|routing_key|service_key|url):`)
	for _, m := range inline.FindAllString(string(cfgData), -1) {
		t.Errorf("inline secret field in the config: %q", strings.TrimSpace(m))
	}
	if err := verifyRouting(st, cfgData); err != nil {
		t.Error(err)
	}
	if testing.Short() {
		return
	}
	amtool, err := tools.Built("amtool")
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := writeOut(t, files)
	if out, err := runTool(amtool, "check-config", cfgPath); err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	if _, err := os.Stat(cfgPath); err != nil {
		t.Fatal(err)
	}
}
