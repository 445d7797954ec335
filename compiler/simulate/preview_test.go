package simulate

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/simulate/timeline"
)

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"instance": ".*"}
	cases := []struct {
		name, in, want, why string
		step, scrape        time.Duration
	}{
		{"rate interval is four scrapes at a short step",
			`rate(x{instance=~"$instance"}[$__rate_interval])`, `rate(x{instance=~".*"}[1m])`, "", 10 * time.Second, 15 * time.Second},
		{"rate interval is step plus a scrape at a long step",
			`rate(x[$__rate_interval])`, `rate(x[1m45s])`, "", 90 * time.Second, 15 * time.Second},
		{"interval and braces",
			`avg_over_time(x[${__interval}])`, `avg_over_time(x[1m30s])`, "", 90 * time.Second, 15 * time.Second},
		{"an unknown variable is not simulated",
			`x{env="$env"}`, `x{env="$env"}`, "it reads the variable $env, which the simulation does not set", time.Minute, 15 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, why := substitute(c.in, vars, c.step, c.scrape, time.Hour)
			if got != c.want || why != c.why {
				t.Errorf("substitute(%q) = %q, %q; want %q, %q", c.in, got, why, c.want, c.why)
			}
		})
	}
}

func TestLegend(t *testing.T) {
	ls := map[string]string{"endpoint": "checkout", "code": "500"}
	cases := []struct{ format, want string }{
		{"{{endpoint}}", "checkout"},
		{"{{ endpoint }} {{code}}", "checkout 500"},
		{"1h window", "1h window"},
		{"", `{code="500", endpoint="checkout"}`},
	}
	for _, c := range cases {
		if got := legend(c.format, ls); got != c.want {
			t.Errorf("legend(%q) = %q, want %q", c.format, got, c.want)
		}
	}
}

// TestValuesJSON checks missing points survive the artifact as null and
// values keep four significant digits.
func TestValuesJSON(t *testing.T) {
	in := timeline.Values{0.123456, math.NaN(), 1000.4, 0, -2.5e-7}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), `[0.1235,null,1000,0,-2.5e-07]`; got != want {
		t.Errorf("marshal = %s, want %s", got, want)
	}
	var out timeline.Values
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 5 || out[0] != 0.1235 || !math.IsNaN(out[1]) || out[2] != 1000 {
		t.Errorf("round trip = %v", out)
	}
}

// TestWindow checks the preview's time axis covers the incident from half
// an hour before to a quarter of an hour after the last notification, and
// picks the page, not a ticket, as the moment to mark.
func TestWindow(t *testing.T) {
	at := func(d time.Duration) Offset { return Offset(d) }
	r := &run{sc: Scenarios[0]}
	tl := &Timeline{Notifications: []Notification{
		{At: at(20 * time.Second), Receiver: "tickets", Status: "firing", Severities: []string{"ticket"}},
		{At: at(90 * time.Second), Receiver: "oncall", Status: "firing", Severities: []string{"page"}},
		{At: at(41*time.Minute + 30*time.Second), Receiver: "oncall", Status: "resolved"},
	}}
	inc := r.window(tl)
	if inc.Page == nil || *inc.Page != at(90*time.Second) || inc.Notified != nil {
		t.Errorf("page %v, notified %v; want the page at 1m30s", inc.Page, inc.Notified)
	}
	if inc.Resolved == nil || *inc.Resolved != at(41*time.Minute+30*time.Second) {
		t.Errorf("resolved %v", inc.Resolved)
	}
	end := time.Duration(inc.From) + time.Duration(inc.Points-1)*time.Duration(inc.Step)
	if inc.From != at(-30*time.Minute) || end < 56*time.Minute+30*time.Second || inc.Points > previewPoints+1 {
		t.Errorf("window from %v to %v in %d points", time.Duration(inc.From), end, inc.Points)
	}
}

// TestMarshalPreviews checks that the previews encoded dashboard by
// dashboard are the bytes json.Marshal writes.
func TestMarshalPreviews(t *testing.T) {
	page := Offset(90 * time.Second)
	for _, p := range []*timeline.Previews{
		{Scenario: "full outage"},
		{Scenario: "full outage", Dashboards: []timeline.DashboardPreview{}},
		{Scenario: "a <b> & \"c\"", Dashboards: []timeline.DashboardPreview{
			{UID: "stackc-shop-slos", Note: "<row>", Incidents: map[string]timeline.Incident{"shop/a": {Page: &page, Points: 3}},
				Panels: []timeline.PanelPreview{{ID: 2, Incident: "shop/a", Series: []timeline.Series{{Name: "x", Values: timeline.Values{1, math.NaN(), 0.5}}}}}},
			{UID: "stackc-shop-overview", Panels: []timeline.PanelPreview{{ID: 1, NotSimulated: "why"}}},
		}},
	} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalPreviews(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("marshalPreviews\n got %s\nwant %s", got, want)
		}
	}
}
