package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/demoapp/inbox"
)

// Breakage is what the demo breaks: one endpoint of an availability SLO.
type Breakage struct {
	Service  model.Service
	SLO      model.SLO
	Endpoint string
}

// PickBreakage returns the first availability SLO of the spec whose fast
// page can fire, and its first endpoint.
func PickBreakage(st *model.Stack) (Breakage, error) {
	bs := PickBreakages(st)
	if len(bs) == 0 {
		return Breakage{}, fmt.Errorf("the spec has no availability SLO with a %s page to demonstrate", slo.Tiers[0].Name)
	}
	return bs[0], nil
}

// PickBreakages returns, for every service that has one, its first
// availability SLO whose fast page can fire, and that SLO's first endpoint.
func PickBreakages(st *model.Stack) []Breakage {
	var out []Breakage
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			if s.Kind == model.Availability && len(s.Endpoints) > 0 && slo.Tiers[0].CanFire(s) && !slices.Contains(s.DisabledTiers, slo.Tiers[0].Name) {
				out = append(out, Breakage{Service: svc, SLO: s, Endpoint: s.Endpoints[0]})
				break
			}
		}
	}
	return out
}

// PageLabels are the labels the page of b's SLO carries.
func (b Breakage) PageLabels() map[string]string {
	return map[string]string{
		"alertname":       slo.BurnAlertName(b.SLO),
		slo.LabelService:  b.Service.Name,
		slo.LabelSLO:      b.SLO.Name,
		slo.LabelSeverity: string(slo.Page),
		slo.LabelTeam:     b.Service.Team,
	}
}

// Matches reports whether an inbox entry is a page of b's SLO.
func (b Breakage) Matches(e inbox.Entry) bool {
	for k, v := range b.PageLabels() {
		if e.Labels[k] != v {
			return false
		}
	}
	return true
}

// Receivers returns the receivers the spec's routes send an alert with
// these labels to: every matching route up to the first one that does
// not continue, or the default receiver when none matches.
func Receivers(st *model.Stack, labels map[string]string) []string {
	var out []string
	for _, r := range st.Alerting.Routes {
		if !matches(r, labels) {
			continue
		}
		out = append(out, r.Receiver)
		if !r.Continue {
			return out
		}
	}
	if len(out) == 0 {
		out = []string{st.Alerting.DefaultReceiver}
	}
	return out
}

// ReceiverPath returns the URL path of a webhook receiver: where the inbox
// sees its notifications arrive.
func ReceiverPath(st *model.Stack, name string) (string, error) {
	for _, r := range st.Alerting.Receivers {
		if r.Name == name {
			if r.Type != model.Webhook || r.URL == "" {
				return "", fmt.Errorf("receiver %s is not a webhook with a URL", name)
			}
			u, err := url.Parse(r.URL)
			if err != nil {
				return "", err
			}
			return u.Path, nil
		}
	}
	return "", fmt.Errorf("no receiver %s", name)
}

// RuleGroup is a rule group as Prometheus's API reports it.
type RuleGroup struct {
	Name           string    `json:"name"`
	File           string    `json:"file"`
	LastEvaluation time.Time `json:"lastEvaluation"`
	Rules          []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		// Duration is an alerting rule's `for`, in seconds.
		Duration float64           `json:"duration"`
		Labels   map[string]string `json:"labels"`
		Health   string            `json:"health"`
	} `json:"rules"`
}

// Target is a scrape target as Prometheus's API reports it.
type Target struct {
	ScrapeURL string `json:"scrapeUrl"`
	Health    string `json:"health"`
	LastError string `json:"lastError"`
}

// promGet calls a Prometheus HTTP API endpoint and decodes its data.
func (s *Stack) promGet(ctx context.Context, path string, params url.Values, data any) error {
	return promGetAt(ctx, s.Prometheus, path, params, data)
}

// promGetAt calls the Prometheus HTTP API (or Thanos Query's) at base.
func promGetAt(ctx context.Context, base, path string, params url.Values, data any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+params.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("%s: %s", path, body.Error)
	}
	return json.Unmarshal(body.Data, data)
}

// RuleGroups returns the rule groups Prometheus has loaded.
func (s *Stack) RuleGroups(ctx context.Context) ([]RuleGroup, error) {
	return ruleGroupsAt(ctx, s.Prometheus)
}

func ruleGroupsAt(ctx context.Context, base string) ([]RuleGroup, error) {
	var data struct {
		Groups []RuleGroup `json:"groups"`
	}
	err := promGetAt(ctx, base, "/api/v1/rules", nil, &data)
	return data.Groups, err
}

// Targets returns Prometheus's active scrape targets.
func (s *Stack) Targets(ctx context.Context) ([]Target, error) {
	return targetsAt(ctx, s.Prometheus)
}

func targetsAt(ctx context.Context, base string) ([]Target, error) {
	var data struct {
		ActiveTargets []Target `json:"activeTargets"`
	}
	err := promGetAt(ctx, base, "/api/v1/targets", url.Values{"state": {"active"}}, &data)
	return data.ActiveTargets, err
}

// Query runs an instant query and returns how many series it returned.
func (s *Stack) Query(ctx context.Context, q string) (int, error) {
	return QueryAt(ctx, s.Prometheus, q, nil)
}

// QueryAt runs an instant query against the Prometheus API at base (a
// replica, or Thanos Query) with extra parameters (Thanos Query's dedup),
// and returns the series' label sets.
func QueryAt(ctx context.Context, base, q string, params url.Values) (int, error) {
	series, err := QuerySeries(ctx, base, q, params)
	return len(series), err
}

// QuerySeries runs an instant query against the Prometheus API at base and
// returns the label sets of the series it returned.
func QuerySeries(ctx context.Context, base, q string, params url.Values) ([]map[string]string, error) {
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	}
	v := url.Values{"query": {q}}
	for k, vs := range params {
		v[k] = vs
	}
	err := promGetAt(ctx, base, "/api/v1/query", v, &data)
	var out []map[string]string
	for _, r := range data.Result {
		out = append(out, r.Metric)
	}
	return out, err
}

// GeneratedGroups returns the names of the rule groups in the generated
// rule files, sorted.
func (s *Stack) GeneratedGroups() ([]string, error) {
	var files []string
	err := filepath.WalkDir(filepath.Join(s.Dir, "out", "prometheus", "rules"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Groups []struct {
				Name string `yaml:"name"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, g := range doc.Groups {
			names = append(names, g.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// Poll calls check every interval until it returns nil or ctx ends; the
// error then says what check last reported.
func Poll(ctx context.Context, interval time.Duration, what string, check func() error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last: %v)", what, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// WaitWarm waits until Prometheus (every replica) has loaded every
// generated rule group, every target is up, alerts reach every
// Alertmanager (WaitAlerting), and the broken SLO's short-window error
// ratio has a value, so that a fault moves it at the next evaluation.
func (s *Stack) WaitWarm(ctx context.Context, b Breakage) error {
	want, err := s.GeneratedGroups()
	if err != nil {
		return err
	}
	if len(want) == 0 {
		return fmt.Errorf("no rule groups were generated")
	}
	wantTargets := 0
	for _, svc := range s.Model.Services {
		wantTargets += len(svc.Targets)
	}
	for _, srv := range s.PrometheusReplicas {
		if err := Poll(ctx, 250*time.Millisecond, srv.Name+"'s rule groups", func() error {
			groups, err := ruleGroupsAt(ctx, srv.URL)
			if err != nil {
				return err
			}
			var got []string
			for _, g := range groups {
				got = append(got, g.Name)
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				return fmt.Errorf("%s has groups %v, want %v", srv.Name, got, want)
			}
			return nil
		}); err != nil {
			return err
		}
		s.status("%s loaded all %d rule groups", srv.Name, len(want))
		if err := Poll(ctx, 250*time.Millisecond, srv.Name+"'s targets", func() error {
			ts, err := targetsAt(ctx, srv.URL)
			if err != nil {
				return err
			}
			up := 0
			for _, t := range ts {
				if t.Health == "up" {
					up++
				}
			}
			if len(ts) != wantTargets || up != wantTargets {
				return fmt.Errorf("%d of %d targets up: %+v", up, wantTargets, ts)
			}
			return nil
		}); err != nil {
			return err
		}
		s.status("all %d scrape targets of %s are up", wantTargets, srv.Name)
	}
	if err := s.WaitAlerting(ctx); err != nil {
		return err
	}
	q := fmt.Sprintf(`%s{%s=%q,%s=%q}`, slo.ErrorRatio(slo.Tiers[0].Short), slo.LabelService, b.Service.Name, slo.LabelSLO, b.SLO.Name)
	for _, srv := range s.PrometheusReplicas {
		if err := Poll(ctx, time.Second, srv.Name+": the SLO's error ratio", func() error {
			n, err := QueryAt(ctx, srv.URL, q, nil)
			if err == nil && n != 1 {
				err = fmt.Errorf("%s returns %d series", q, n)
			}
			return err
		}); err != nil {
			return err
		}
	}
	// The burn-rate alerts stay quiet until the SLO's average request rate
	// over the tier's long window reaches minEventRate. On a fresh
	// Prometheus that average starts low (rate() over a young series
	// undercounts), so the fault waits for it rather than for the alert.
	tier := slo.Tiers[0]
	guard := fmt.Sprintf(`avg_over_time(%s{%s=%q,%s=%q}[%s]) >= %g`, slo.RequestsRate5m,
		slo.LabelService, b.Service.Name, slo.LabelSLO, b.SLO.Name, model.Duration(tier.Long), b.SLO.MinEventRate)
	for _, srv := range s.PrometheusReplicas {
		if err := Poll(ctx, time.Second, srv.Name+": the SLO's minimum event rate", func() error {
			n, err := QueryAt(ctx, srv.URL, guard, nil)
			if err == nil && n != 1 {
				err = fmt.Errorf("%s is false", guard)
			}
			return err
		}); err != nil {
			return err
		}
	}
	s.status("%s has traffic above its minimum event rate (%g/s)", b.SLO.Name, b.SLO.MinEventRate)
	return nil
}

// PageFor returns the largest `for` of the page alerts of b's SLO, as
// Prometheus loaded them.
func (s *Stack) PageFor(ctx context.Context, b Breakage) (time.Duration, error) {
	groups, err := s.RuleGroups(ctx)
	if err != nil {
		return 0, err
	}
	var max time.Duration
	found := false
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Type == "alerting" && r.Name == slo.BurnAlertName(b.SLO) && r.Labels[slo.LabelSeverity] == string(slo.Page) {
				found = true
				max = maxDur(max, time.Duration(r.Duration*float64(time.Second)))
			}
		}
	}
	if !found {
		return 0, fmt.Errorf("Prometheus has no page alert %s", slo.BurnAlertName(b.SLO))
	}
	return max, nil
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

// Bound is the theoretical fault-to-notification time of a page: a scrape
// to see the errors, an evaluation to fire, the alert's `for`, and the
// Alertmanager's group_wait.
func Bound(st *model.Stack, labels map[string]string, forDur time.Duration) time.Duration {
	return time.Duration(st.ScrapeInterval) + time.Duration(st.EvaluationInterval) + forDur + groupWait(st, labels)
}

// groupWait is the group_wait of the first route matching labels, or the default.
func groupWait(st *model.Stack, labels map[string]string) time.Duration {
	for _, r := range st.Alerting.Routes {
		if matches(r, labels) {
			if r.GroupWait != nil {
				return time.Duration(*r.GroupWait)
			}
			break
		}
	}
	return time.Duration(st.Alerting.GroupWait)
}

func matches(r model.Route, labels map[string]string) bool {
	for k, v := range r.Match {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// WaitAlert waits for an alert after seq (an inbox sequence number) that
// satisfies match.
func (s *Stack) WaitAlert(ctx context.Context, after int, match func(inbox.Entry) bool) (inbox.Entry, error) {
	var found inbox.Entry
	err := Poll(ctx, 100*time.Millisecond, "alert", func() error {
		for _, e := range s.Received.Alerts() {
			if e.Seq > after && match(e) {
				found = e
				return nil
			}
		}
		return fmt.Errorf("not among the %d alerts received", s.Received.Total())
	})
	return found, err
}

// ActiveAlerts returns how many active alerts the Alertmanager holds whose
// labels include labels.
func (s *Stack) ActiveAlerts(ctx context.Context, labels map[string]string) (int, error) {
	alerts, err := s.amAlerts(ctx, labels, url.Values{"active": {"true"}, "silenced": {"false"}})
	return len(alerts), err
}

// InhibitedAlerts returns how many alerts whose labels include labels the
// Alertmanager holds muted by an inhibition rule.
func (s *Stack) InhibitedAlerts(ctx context.Context, labels map[string]string) (int, error) {
	alerts, err := s.amAlerts(ctx, labels, url.Values{"active": {"false"}, "silenced": {"false"}, "inhibited": {"true"}})
	n := 0
	for _, a := range alerts {
		if a.Status.State == "suppressed" && len(a.Status.InhibitedBy) > 0 {
			n++
		}
	}
	return n, err
}

// amAlert is the part of an Alertmanager API v2 alert the tests read.
type amAlert struct {
	Status struct {
		State       string   `json:"state"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

func (s *Stack) amAlerts(ctx context.Context, labels map[string]string, params url.Values) ([]amAlert, error) {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		params.Add("filter", fmt.Sprintf("%s=%q", k, labels[k]))
	}
	// The (first live) Alertmanager: the peers of a cluster share their alerts.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Alertmanager+"/api/v2/alerts?"+params.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("alertmanager /api/v2/alerts: %s", resp.Status)
	}
	var alerts []amAlert
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		return nil, err
	}
	return alerts, nil
}
