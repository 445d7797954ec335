package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/compose"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/demoapp/demo"
	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/demoapp/inbox"
)

// TestHAEndToEnd runs the HA stack of ha.jsonnet natively: a Prometheus
// pair, a 3-peer Alertmanager cluster and Thanos. Before the fault it waits
// until every replica sends to every peer and the peers report one ready
// cluster (demo.Stack.WaitAlerting): a peer that has not joined does not
// see the others' notification log and notifies on its own.
//
// Both replicas evaluate the rules; Thanos Query returns their SLO series
// once, deduplicated on the replica label. A full outage pages; the page
// carries no replica label (alert_relabel_configs drops it), so both
// replicas' copies are one alert in the cluster. Then one Prometheus
// replica and one Alertmanager peer are killed (SIGKILL) while the page
// fires, for longer than a lone Prometheus's alerts stay valid in the
// Alertmanager (4 × max(evaluation interval, resend delay)): the surviving
// replica keeps the alert alive, so nothing resolves falsely and nothing
// pages again. Clearing the fault resolves the page once, through the
// surviving peers. Its last line is `ha incident notifications: pages=1
// resolves=1`.
//
// It runs only with STACKC_E2E_HA=1 (make e2e-ha), not in make test: one of
// its runs saw the page fire again right after its resolve, sent by a peer
// whose snapshot predated the resolve (prometheus/alertmanager#4008; see
// docs/ha.md). It is parallel, so it can run beside TestAlertEndToEnd.
func TestHAEndToEnd(t *testing.T) {
	if os.Getenv("STACKC_E2E_HA") == "" {
		t.Skip("HA end-to-end test: set STACKC_E2E_HA=1 or run make e2e-ha (not part of make test yet, see docs/ha.md)")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	w := &logWriter{t: t}
	defer w.stop()
	st, err := demo.Start(ctx, demo.Options{
		Spec:   spectest.HAPath(t),
		Dir:    t.TempDir(),
		Quiet:  true,
		Status: w,
		Alerts: w,
	})
	if st != nil {
		t.Cleanup(st.Close)
		defer func() {
			if t.Failed() {
				t.Logf("server logs:\n%s", st.Logs())
			}
		}()
	}
	if err != nil {
		t.Fatalf("starting the HA stack: %v", err)
	}
	if !slo.ThanosEnabled(st.Model) || len(st.PrometheusReplicas) < 2 || len(st.AlertmanagerPeers) < 2 {
		t.Fatalf("the HA spec runs %d Prometheus replicas, %d Alertmanager peers, Thanos %v; want a pair, a cluster and Thanos",
			len(st.PrometheusReplicas), len(st.AlertmanagerPeers), slo.ThanosEnabled(st.Model))
	}
	b, err := demo.PickBreakage(st.Model)
	if err != nil {
		t.Fatal(err)
	}
	warm, warmCancel := context.WithTimeout(ctx, warmTimeout)
	defer warmCancel()
	// Every replica warm, every replica sending to every peer, one cluster.
	if err := st.WaitWarm(warm, b); err != nil {
		t.Fatal(err)
	}

	// 1. Thanos Query sees the SLO's recording rule from both replicas and
	// deduplicates it into one series without the replica label.
	ratio := fmt.Sprintf(`%s{%s=%q,%s=%q}`, slo.ErrorRatio(slo.Tiers[0].Short), slo.LabelService, b.Service.Name, slo.LabelSLO, b.SLO.Name)
	var replicas []string
	for _, r := range st.PrometheusReplicas {
		replicas = append(replicas, r.Name)
	}
	if err := demo.Poll(warm, time.Second, "Thanos Query's view of "+ratio, func() error {
		raw, err := demo.QuerySeries(warm, st.ThanosQuery, ratio, url.Values{"dedup": {"false"}})
		if err != nil {
			return err
		}
		var got []string
		for _, s := range raw {
			got = append(got, s[slo.ReplicaLabel])
		}
		slices.Sort(got)
		if !slices.Equal(got, replicas) {
			return fmt.Errorf("without deduplication the series come from replicas %v, want %v", got, replicas)
		}
		dedup, err := demo.QuerySeries(warm, st.ThanosQuery, ratio, url.Values{"dedup": {"true"}})
		if err != nil {
			return err
		}
		if len(dedup) != 1 {
			return fmt.Errorf("deduplicated, %s returns %d series, want 1", ratio, len(dedup))
		}
		if r, ok := dedup[0][slo.ReplicaLabel]; ok {
			return fmt.Errorf("the deduplicated series keeps %s=%q", slo.ReplicaLabel, r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("Thanos Query returns %s from %v as one deduplicated series", ratio, replicas)

	// 2. A full outage pages, once, with no replica label.
	want := b.PageLabels()
	forDur, err := st.PageFor(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	bound := demo.Bound(st.Model, want, forDur)
	t.Logf("injecting a full outage into %s %s (SLO %s)", b.Service.Name, b.Endpoint, b.SLO.Name)
	before := st.Received.Total()
	if err := st.InjectFault(ctx, b.Service.Name, b.Endpoint, fault.Request{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	// incident lists the notifications of the broken SLO's page since the fault.
	incident := func() []inbox.Entry {
		var out []inbox.Entry
		for _, e := range st.Received.Alerts() {
			if e.Seq > before && b.Matches(e) {
				out = append(out, e)
			}
		}
		return out
	}
	// On failure: every notification of the incident, which peer sent it,
	// and what each live peer thinks of its cluster.
	defer func() {
		if !t.Failed() {
			return
		}
		for _, e := range incident() {
			t.Logf("  #%d %s %s %s fingerprint=%s sent by %s", e.Seq, e.Received.Format(time.RFC3339Nano), e.Status, e.Labels[slo.LabelTier], e.Fingerprint, e.ExternalURL)
		}
		for _, am := range st.AlertmanagerPeers {
			c, err := demo.ClusterStatus(ctx, am.URL)
			t.Logf("  %s cluster: %s %v", am.Name, c, err)
		}
	}()
	pageCtx, pageCancel := context.WithTimeout(ctx, 4*bound+time.Minute)
	defer pageCancel()
	page, err := st.WaitAlert(pageCtx, before, func(e inbox.Entry) bool {
		return e.Status == "firing" && b.Matches(e)
	})
	if err != nil {
		t.Fatalf("no page for %s: %v", b.SLO.Name, err)
	}
	t.Logf("paged: %s (sent by %s)", page.Line(), page.ExternalURL)
	if _, ok := page.Labels[slo.ReplicaLabel]; ok {
		t.Errorf("the page carries the %s label; alert_relabel_configs must drop it: %v", slo.ReplicaLabel, page.Labels)
	}
	// Both replicas fire it, so either can keep it alive alone.
	firing := fmt.Sprintf(`ALERTS{alertname=%q,%s=%q,%s=%q,alertstate="firing"}`, want["alertname"], slo.LabelSLO, b.SLO.Name, slo.LabelSeverity, slo.Page)
	for _, r := range st.PrometheusReplicas {
		if err := demo.Poll(pageCtx, 250*time.Millisecond, r.Name+" firing the page", func() error {
			n, err := demo.QueryAt(pageCtx, r.URL, firing, nil)
			if err == nil && n == 0 {
				err = fmt.Errorf("%s returns no series", firing)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	eval := time.Duration(st.Model.EvaluationInterval)
	groupInterval := time.Duration(st.Model.Alerting.GroupInterval)
	peers := len(st.AlertmanagerPeers)
	// Long enough for a duplicate notification from another peer: the last
	// peer waits (peers-1) peer timeouts before it notifies, and the group
	// is flushed again every group interval.
	settle := groupInterval + time.Duration(peers-1)*demo.ClusterPeerTimeout + 2*eval
	quiet(ctx, t, settle)
	if n := len(incident()); n != 1 {
		t.Errorf("the outage notified %d times before any server was killed, want once", n)
	}

	// 3. Kill one replica and one peer mid-incident, for longer than the
	// killed replica's alerts stay valid, and the notification pipeline's
	// delays after that.
	validFor := 4 * max(eval, compose.ResendDelay(st.Model))
	hold := validFor + settle
	killedProm, killedAM := st.PrometheusReplicas[0].Name, st.AlertmanagerPeers[0].Name
	for _, name := range []string{killedProm, killedAM} {
		if err := st.Kill(name); err != nil {
			t.Fatal(err)
		}
	}
	baseline := st.Received.Total()
	t.Logf("killed %s and %s; holding the outage %s (a lone Prometheus's alerts expire after %s)", killedProm, killedAM, hold.Round(time.Second), validFor)
	quiet(ctx, t, hold)
	for _, e := range incident() {
		if e.Seq <= baseline {
			continue
		}
		if e.Status == "resolved" {
			t.Errorf("false resolve while %s was down and the outage went on: %s", killedProm, e.Line())
		} else {
			t.Errorf("notified again while %s and %s were down: %s", killedProm, killedAM, e.Line())
		}
	}
	n, err := st.ActiveAlerts(ctx, map[string]string{"alertname": want["alertname"], slo.LabelSeverity: string(slo.Page)})
	if err != nil || n == 0 {
		t.Errorf("the surviving Alertmanagers hold no active page (%d, %v)", n, err)
	}

	// 4. Clearing the fault resolves the page, once, through the survivors.
	t.Log("clearing the fault")
	cleared := time.Now()
	if err := st.ClearFault(ctx, b.Service.Name, b.Endpoint); err != nil {
		t.Fatal(err)
	}
	resCtx, resCancel := context.WithTimeout(ctx, resolveTimeout)
	defer resCancel()
	resolved, err := st.WaitAlert(resCtx, page.Seq, func(e inbox.Entry) bool {
		return e.Status == "resolved" && e.Fingerprint == page.Fingerprint
	})
	if err != nil {
		t.Fatalf("the page did not resolve: %v", err)
	}
	t.Logf("resolved %s after the fault was cleared: %s (sent by %s)", resolved.Received.Sub(cleared).Round(time.Second), resolved.Line(), resolved.ExternalURL)
	quiet(ctx, t, settle)

	pages, resolves := 0, 0
	for _, e := range incident() {
		switch e.Status {
		case "firing":
			pages++
		case "resolved":
			resolves++
		}
	}
	notifications := fmt.Sprintf("ha incident notifications: pages=%d resolves=%d", pages, resolves)
	t.Log(notifications)
	if pages != 1 || resolves != 1 {
		t.Errorf("the page of %s notified %d times and resolved %d times through the cluster, want once each", b.SLO.Name, pages, resolves)
	}
	if st.Received.Total() > len(st.Received.Alerts()) {
		t.Errorf("the inbox dropped alerts (%d received): raise its keep", st.Received.Total())
	}
	fmt.Println(strings.TrimSpace(notifications))
}
