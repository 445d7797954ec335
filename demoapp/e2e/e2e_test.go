// Package e2e is the end-to-end alert test: the native demo stack on free
// loopback ports (real Prometheus and Alertmanager servers, the Go demo app
// and the Flask demo service, their traffic and the inbox), a full outage
// of one SLO's endpoint, and the page it must produce — delivered once, to
// the spec's receiver, resolved once after the fault is cleared, surviving
// an Alertmanager restart, and nothing more for 10 minutes after the fault
// is cleared — and one page and one resolve from every other service's
// outage (the committed spec: the Flask catalog's) through the receiver the
// spec routes its team to. Its last lines print each incident's
// notification counts and the alert latency.
//
// TestHAEndToEnd (ha_test.go) breaks the same SLO on the HA stack of
// ha.jsonnet, kills a Prometheus replica and an Alertmanager peer
// mid-incident, and counts one page and one resolve.
//
// They take several minutes (this one watches the inbox for 10 minutes
// after the fault is cleared), so they run only with STACKC_E2E=1 and
// STACKC_E2E_HA=1: `make e2e` sets both and runs them side by side.
package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/compose"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/demoapp/demo"
)

// watchAfterClear is how long after the fault is cleared the inbox must
// hold no further page or resolve of the incident.
const watchAfterClear = 10 * time.Minute

func TestAlertEndToEnd(t *testing.T) {
	if os.Getenv("STACKC_E2E") == "" {
		t.Skip("end-to-end test: set STACKC_E2E=1 or run make e2e")
	}
	t.Parallel() // beside TestHAEndToEnd
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	st, b := startWarm(ctx, t, "")
	// Every other service with a pageable SLO (the committed spec: the
	// Flask service) is broken too, and must page its own route.
	var others []demo.Breakage
	for _, ob := range demo.PickBreakages(st.Model) {
		if ob.Service.Name != b.Service.Name {
			warm, warmCancel := context.WithTimeout(ctx, warmTimeout)
			err := st.WaitWarm(warm, ob)
			warmCancel()
			if err != nil {
				t.Fatal(err)
			}
			others = append(others, ob)
		}
	}

	// 0. Every running service keeps the metrics contract the rules and
	// dashboards rely on, as `stackc verify` checks it, under load.
	problems, summaries, err := st.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range summaries {
		t.Log(s)
	}
	for _, p := range problems {
		t.Error(p)
	}

	want := b.PageLabels()
	receivers := demo.Receivers(st.Model, want)
	if len(receivers) != 1 {
		t.Fatalf("the spec routes the page to %v; the test expects one webhook receiver", receivers)
	}
	path, err := demo.ReceiverPath(st.Model, receivers[0])
	if err != nil {
		t.Fatal(err)
	}

	// 1. A full outage pages, through the spec's receiver.
	in := breakAndPage(ctx, t, st, b)
	page := in.page
	latency := page.Received.Sub(in.start)
	if page.Receiver != receivers[0] || page.Path != path {
		t.Errorf("page came through receiver %s at %s, the spec routes it to %s at %s", page.Receiver, page.Path, receivers[0], path)
	}
	if tier := page.Labels[slo.LabelTier]; tier != string(slo.Page) {
		t.Errorf("page has tier %q, want %q (one alert carries every page tier)", tier, slo.Page)
	}
	if page.Annotations["summary"] == "" || page.Annotations["runbook_url"] == "" {
		t.Errorf("page lacks summary or runbook_url: %v", page.Annotations)
	}
	groupInterval := time.Duration(st.Model.Alerting.GroupInterval)

	// 1b. Each other service's outage pages through the receiver the spec's
	// routes give its team; its fault is cleared once the page arrived.
	for _, ob := range others {
		recv := demo.Receivers(st.Model, ob.PageLabels())
		if len(recv) != 1 {
			t.Fatalf("the spec routes %s's page to %v; the test expects one webhook receiver", ob.Service.Name, recv)
		}
		opath, err := demo.ReceiverPath(st.Model, recv[0])
		if err != nil {
			t.Fatal(err)
		}
		op := breakAndPage(ctx, t, st, ob).page
		if op.Receiver != recv[0] || op.Path != opath {
			t.Errorf("%s's page came through receiver %s at %s, the spec routes it to %s at %s", ob.Service.Name, op.Receiver, op.Path, recv[0], opath)
		}
		if err := st.ClearFault(ctx, ob.Service.Name, ob.Endpoint); err != nil {
			t.Fatal(err)
		}
	}

	// A full outage meets both page tiers' conditions (Prometheus records
	// each), yet they are one alert: the inbox holds one page.
	var pageTiers []string
	for _, tier := range slo.AlertingTiers(b.SLO) {
		if tier.Severity == slo.Page {
			pageTiers = append(pageTiers, tier.Name)
		}
	}
	condCtx, condCancel := context.WithTimeout(ctx, 2*time.Minute)
	defer condCancel()
	for _, tier := range pageTiers {
		q := fmt.Sprintf(`%s{%s=%q,%s=%q,%s=%q}`, slo.TierBurnRate, slo.LabelService, b.Service.Name, slo.LabelSLO, b.SLO.Name, slo.LabelTier, tier)
		if err := demo.Poll(condCtx, time.Second, "the "+tier+" condition", func() error {
			n, err := st.Query(condCtx, q)
			if err == nil && n != 1 {
				err = fmt.Errorf("%s returns %d series", q, n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	quiet(ctx, t, groupInterval+2*time.Duration(st.Model.EvaluationInterval))
	firing, _ := count(notifications(st, 0, b))

	// 2. Restart the Alertmanager while the alert fires: it must neither
	// forget the alert nor notify it again.
	t.Log("restarting the Alertmanager (data directory kept)")
	if err := st.RestartAlertmanager(ctx); err != nil {
		t.Fatal(err)
	}
	amCtx, amCancel := context.WithTimeout(ctx, time.Minute)
	defer amCancel()
	if err := demo.Poll(amCtx, 250*time.Millisecond, "the restarted Alertmanager's alerts", func() error {
		n, err := st.ActiveAlerts(amCtx, map[string]string{"alertname": want["alertname"], slo.LabelSeverity: string(slo.Page)})
		if err == nil && n == 0 {
			err = fmt.Errorf("the alert is not active")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Long enough for a forgotten notification to go out again: the
	// restarted Alertmanager dispatches after its start delay, a new
	// aggregation group waits group_wait, then flushes every group_interval.
	quiet(ctx, t, compose.StartDelay(st.Model)+time.Duration(st.Model.Alerting.GroupWait)+groupInterval+2*time.Duration(st.Model.EvaluationInterval))
	if n, _ := count(notifications(st, 0, b)); n != firing {
		t.Errorf("the restarted Alertmanager notified the page again: %d firing notifications before the restart, %d after", firing, n)
	}

	// 3. Clearing the fault resolves the page, once; the inbox is then
	// watched for watchAfterClear: no page again, no second resolve.
	resolved, cleared := clearAndResolve(ctx, t, st, in)
	if resolved.Receiver != receivers[0] {
		t.Errorf("resolution came through %s, want %s", resolved.Receiver, receivers[0])
	}
	if rest := watchAfterClear - time.Since(cleared); rest > 0 {
		t.Logf("watching the inbox for %s more", rest.Round(time.Second))
		quiet(ctx, t, rest)
	}

	// 4. From the fault until now: one page and one resolve for the
	// incident, one page and one resolve for each other service's outage
	// (cleared minutes before the incident's, so resolved within the
	// watch), and no other page.
	pages, resolves := count(notifications(st, in.before, b))
	otherPages, otherResolves := make([]int, len(others)), make([]int, len(others))
	for i, ob := range others {
		otherPages[i], otherResolves[i] = count(notifications(st, in.before, ob))
	}
	for _, e := range st.Received.Alerts() {
		if e.Seq > in.before && e.Labels[slo.LabelSeverity] == string(slo.Page) &&
			!b.Matches(e) && !slices.ContainsFunc(others, func(ob demo.Breakage) bool { return ob.Matches(e) }) {
			t.Errorf("unexpected page: %s", e.Line())
		}
	}
	var otherLines []string
	for i, ob := range others {
		line := fmt.Sprintf("%s incident notifications: pages=%d resolves=%d", ob.Service.Name, otherPages[i], otherResolves[i])
		t.Log(line)
		otherLines = append(otherLines, line)
		if otherPages[i] != 1 || otherResolves[i] != 1 {
			t.Errorf("%s's outage (%s) got %d pages and %d resolves, want 1 and 1", ob.Service.Name, ob.SLO.Name, otherPages[i], otherResolves[i])
		}
	}
	line := fmt.Sprintf("incident notifications: pages=%d resolves=%d", pages, resolves)
	t.Log(line)
	if pages != 1 || resolves != 1 {
		t.Errorf("from the fault until %s after it was cleared the inbox got %d pages and %d resolves for the incident, want 1 and 1",
			watchAfterClear, pages, resolves)
	}
	checkKept(t, st)

	setSummary(t, append(otherLines, line,
		fmt.Sprintf("alert latency %.1fs (bound %s; measured on a freshly started Prometheus)", latency.Seconds(), in.bound))...)
}
