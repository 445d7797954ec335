package alertmanager

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/alert"
	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/template"
	prommodel "github.com/prometheus/common/model"

	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// TestTemplatesLoadLikeAlertmanager loads the written config from disk the
// way Alertmanager does (relative template paths resolve against the
// config's directory), parses the templates it names with the module's
// template package, and renders a firing and a resolved notification.
func TestTemplatesLoadLikeAlertmanager(t *testing.T) {
	st := spectest.Repo(t, "default")
	cfgPath := writeOut(t, emit(t, st))
	if _, err := LoadConfig(nil); err == nil { // initialises matcher parsing like the binary
		t.Fatal("an empty config must not load")
	}
	cfg, err := config.LoadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(cfgPath), "templates", "*.tmpl"); len(cfg.Templates) != 1 || cfg.Templates[0] != want {
		t.Fatalf("templates resolve to %v, want [%s]", cfg.Templates, want)
	}
	tmpl, err := template.FromGlobs(cfg.Templates)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.ExternalURL, _ = url.Parse("http://127.0.0.1:9093")

	burn := Alerts(st)[0]
	annotations := prommodel.LabelSet{
		"summary":     "Checkout availability burns its error budget 14.4x too fast",
		"description": "Burn rate 20.1x over 1h; 97% of the budget left.",
		"runbook_url": "https://runbooks.shop.internal/storefront#CheckoutAvailabilityBudgetBurn",
		"dashboard":   "http://127.0.0.1:3000/d/stackc-shop-slos",
	}
	// Firing or resolved is decided against the clock, so times are relative to now.
	started := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	firing := alert.New(prommodel.Alert{Labels: burn.LabelSet(), Annotations: annotations, StartsAt: started, EndsAt: started.Add(2 * time.Hour)}, started, false)
	// An alert without annotations must still render (e.g. a hand-written rule).
	// It is the last alert of the burn alert's service, so the group is that service's.
	var last Alert
	for _, a := range Alerts(st) {
		if a.Labels[slo.LabelService] == burn.Labels[slo.LabelService] {
			last = a
		}
	}
	bare := alert.New(prommodel.Alert{Labels: last.LabelSet(), StartsAt: started, EndsAt: started.Add(2 * time.Hour)}, started, false)
	resolved := alert.New(prommodel.Alert{Labels: burn.LabelSet(), Annotations: annotations, StartsAt: started, EndsAt: started.Add(30 * time.Minute)}, started, false)

	cases := []struct {
		name      string
		alerts    []*alert.Alert
		wantTitle string
		wantText  []string
	}{
		{"firing", []*alert.Alert{firing}, "[FIRING:1] CheckoutAvailabilityBudgetBurn (page) · shop · page", []string{
			"FIRING: Checkout availability burns its error budget 14.4x too fast\n",
			"Burn rate 20.1x over 1h; 97% of the budget left.\n",
			"Runbook:   https://runbooks.shop.internal/storefront#CheckoutAvailabilityBudgetBurn\n",
			"Dashboard: http://127.0.0.1:3000/d/stackc-shop-slos\n",
			"Labels:    alertname=CheckoutAvailabilityBudgetBurn, env=production, region=eu-west-1, service=shop, severity=page, slo=checkout-availability, team=storefront, tier=page\n",
			"Since:     " + started.Format("2006-01-02 15:04:05") + " UTC",
		}},
		{"two alerts, one bare", []*alert.Alert{firing, bare}, "[FIRING:2] 2 alerts · shop", []string{
			"FIRING: ShopMetricsAbsent\nLabels:    alertname=ShopMetricsAbsent",
			"\n\nFIRING: ",
		}},
		{"resolved", []*alert.Alert{resolved}, "[RESOLVED] CheckoutAvailabilityBudgetBurn (page) · shop · page", []string{
			"RESOLVED: Checkout availability",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := tmpl.Data("oncall", prommodel.LabelSet{"alertname": burn.LabelSet()["alertname"]}, nil, "", tc.alerts...)
			title, err := tmpl.ExecuteTextString(titleTemplate, data)
			if err != nil {
				t.Fatal(err)
			}
			if title != tc.wantTitle {
				t.Errorf("title %q, want %q", title, tc.wantTitle)
			}
			text, err := tmpl.ExecuteTextString(textTemplate, data)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
