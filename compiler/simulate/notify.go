package simulate

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/alertmanager/alert"
	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/eventrecorder"
	"github.com/prometheus/alertmanager/featurecontrol"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/nflog"
	"github.com/prometheus/alertmanager/nflog/nflogpb"
	"github.com/prometheus/alertmanager/notify"
	"github.com/prometheus/alertmanager/provider"
	"github.com/prometheus/alertmanager/store"
	"github.com/prometheus/client_golang/prometheus"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/rules"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/stackc/stackc/compiler/slo"
)

// The simulated Alertmanager. Routing is dispatch.Route.Match on the
// generated route tree; muting is inhibit.Inhibitor behind
// notify.MuteStage; whether a flush notifies is notify.DedupStage over a
// notification log, and notify.SetNotifiesStage records what was sent.
// Those parts read the wall clock (an alert is resolved when its EndsAt is
// before time.Now()), so alerts are handed to them projected onto the
// simulated instant: EndsAt zero while the alert is active then, or long
// past once it is resolved. What Alertmanager runs on timers — the
// aggregation groups, flushed group_wait after their first alert and every
// group_interval after that, deleting the resolved alerts they notified
// about (dispatch.aggrGroup) — runs here on the simulated clock.

// Notify reasons as timelines name them.
const (
	reasonRepeat = "repeat interval elapsed"
)

// simAlertmanager is one simulated Alertmanager.
type simAlertmanager struct {
	in       *input
	incident time.Time
	// alerts is the provider's store: the latest of every alert, merged.
	alerts map[prommodel.Fingerprint]*alert.Alert
	groups map[string]*aggrGroup
	// the inhibitor and the channel its subscription reads from.
	inhibitor *inhibit.Inhibitor
	feed      chan *provider.Alert
	// fed is what the inhibitor last saw of each alert (active or not).
	fed      map[prommodel.Fingerprint]bool
	mute     *notify.MuteStage
	log      *simLog
	metrics  *notify.Metrics
	logger   *slog.Logger
	stopOnce sync.Once

	notifications []Notification
}

type aggrGroup struct {
	key    string
	route  *dispatch.Route
	labels prommodel.LabelSet
	alerts *store.Alerts
	next   time.Time
}

func newAlertmanager(in *input, incident time.Time) (*simAlertmanager, error) {
	logger := slog.New(slog.DiscardHandler)
	am := &simAlertmanager{
		in: in, incident: incident,
		alerts: map[prommodel.Fingerprint]*alert.Alert{},
		groups: map[string]*aggrGroup{},
		feed:   make(chan *provider.Alert),
		fed:    map[prommodel.Fingerprint]bool{},
		logger: logger,
	}
	reg := prometheus.NewRegistry()
	am.metrics = notify.NewMetrics(reg, featurecontrol.NoopFlags{})
	nl, err := nflog.New(nflog.Options{Retention: 1000 * time.Hour, Logger: logger, Metrics: reg})
	if err != nil {
		return nil, err
	}
	am.log = &simLog{log: nl, at: map[string]time.Time{}}
	am.inhibitor = inhibit.NewInhibitor(feedProvider{am.feed}, in.am.InhibitRules, logger, eventrecorder.NopRecorder())
	go am.inhibitor.Run()
	am.inhibitor.WaitForLoading()
	am.mute = notify.NewMuteStage(am.inhibitor, am.metrics)
	return am, nil
}

func (am *simAlertmanager) stop() {
	am.stopOnce.Do(am.inhibitor.Stop)
}

// receive takes the alerts Prometheus sends at now, converted the way
// Prometheus's notifier does (cmd/prometheus sendAlerts): StartsAt is when
// the alert fired, EndsAt when it resolved or, while active, ValidUntil.
func (am *simAlertmanager) receive(now time.Time, sent []*rules.Alert) {
	for _, ra := range sent {
		ls := prommodel.LabelSet{}
		ra.Labels.Range(func(l labels.Label) { ls[prommodel.LabelName(l.Name)] = prommodel.LabelValue(l.Value) })
		a := prommodel.Alert{Labels: ls, StartsAt: ra.FiredAt}
		if !ra.ResolvedAt.IsZero() {
			a.EndsAt = ra.ResolvedAt
		} else {
			a.EndsAt = ra.ValidUntil
		}
		na := alert.New(a, now, false)
		fp := na.Fingerprint()
		// As the provider merges an update (alert.Merge) on in-order
		// updates: the earliest start, the newest end.
		if old, ok := am.alerts[fp]; ok && old.StartsAt.Before(na.StartsAt) {
			na.StartsAt = old.StartsAt
		}
		am.alerts[fp] = na
		for _, r := range am.in.route.Match(ls) {
			am.group(now, na, r)
		}
	}
}

// group puts an alert into its aggregation group (Dispatcher.groupAlert).
func (am *simAlertmanager) group(now time.Time, a *alert.Alert, r *dispatch.Route) {
	gl := prommodel.LabelSet{}
	for ln, lv := range a.Labels {
		if _, ok := r.RouteOpts.GroupBy[ln]; ok || r.RouteOpts.GroupByAll {
			gl[ln] = lv
		}
	}
	key := r.Key() + ":" + gl.String()
	g, ok := am.groups[key]
	if !ok {
		// A resolved alert alone opens no group worth flushing, but
		// Alertmanager opens it anyway; the flush then sends nothing.
		g = &aggrGroup{key: key, route: r, labels: gl, alerts: store.NewAlerts(), next: now.Add(r.RouteOpts.GroupWait)}
		if a.StartsAt.Add(r.RouteOpts.GroupWait).Before(now) {
			g.next = now
		}
		am.groups[key] = g
	}
	_ = g.alerts.Set(a)
}

// nextFlush is the earliest pending aggregation-group flush.
func (am *simAlertmanager) nextFlush() (time.Time, bool) {
	var t time.Time
	ok := false
	for _, g := range am.groups {
		if !ok || g.next.Before(t) {
			t, ok = g.next, true
		}
	}
	return t, ok
}

// idle reports whether nothing is left to notify: no alert active at now
// and no aggregation group holding alerts.
func (am *simAlertmanager) idle(now time.Time) bool {
	for _, a := range am.alerts {
		if !resolvedAt(a, now) {
			return false
		}
	}
	return len(am.groups) == 0
}

func resolvedAt(a *alert.Alert, now time.Time) bool {
	return !a.EndsAt.IsZero() && !a.EndsAt.After(now)
}

// project copies a to how the wall-clock-reading Alertmanager code must
// see it at the simulated instant now.
func project(a *alert.Alert, now time.Time) *alert.Alert {
	m := a.Alert
	if resolvedAt(a, now) {
		m.EndsAt = time.Unix(1, 0)
	} else {
		m.EndsAt = time.Time{}
	}
	return alert.New(m, a.UpdatedAt, a.Timeout)
}

// feedInhibitor brings the inhibitor's view of every alert to now. The
// subscription channel is unbuffered and the inhibitor handles one alert
// per receive, so once a final marker alert is taken, all before it are in
// its cache.
func (am *simAlertmanager) feedInhibitor(now time.Time) {
	fps := make([]prommodel.Fingerprint, 0, len(am.alerts))
	for fp := range am.alerts {
		fps = append(fps, fp)
	}
	sort.Slice(fps, func(i, j int) bool { return fps[i] < fps[j] })
	changed := false
	for _, fp := range fps {
		a := am.alerts[fp]
		active := !resolvedAt(a, now)
		if seen, ok := am.fed[fp]; ok && seen == active {
			continue
		}
		am.fed[fp] = active
		am.feed <- &provider.Alert{Data: project(a, now)}
		changed = true
	}
	if changed {
		am.feed <- &provider.Alert{Data: alert.New(prommodel.Alert{Labels: prommodel.LabelSet{"__stackc_sync__": "1"}}, now, false)}
	}
}

// flushDue flushes every aggregation group due at or before now.
func (am *simAlertmanager) flushDue(now time.Time) error {
	for {
		var due *aggrGroup
		for _, k := range sortedKeys(am.groups) {
			g := am.groups[k]
			if !g.next.After(now) && (due == nil || g.next.Before(due.next)) {
				due = g
			}
		}
		if due == nil {
			return nil
		}
		at := due.next
		due.next = at.Add(due.route.RouteOpts.GroupInterval)
		if err := am.flush(due, at); err != nil {
			return err
		}
	}
}

// flush is aggrGroup.flush followed by the notification pipeline of the
// group's receiver: inhibition, then per integration dedup, send and log.
func (am *simAlertmanager) flush(g *aggrGroup, now time.Time) error {
	list := g.alerts.List()
	if len(list) == 0 {
		delete(am.groups, g.key)
		return nil
	}
	am.feedInhibitor(now)
	var batch alert.AlertSlice
	var resolved []*alert.Alert
	for _, a := range list {
		if resolvedAt(a, now) {
			resolved = append(resolved, a)
		}
		batch = append(batch, project(a, now))
	}
	sort.Stable(batch)
	opts := g.route.RouteOpts
	ctx := context.Background()
	ctx = notify.WithNow(ctx, now)
	ctx = notify.WithGroupKey(ctx, g.key)
	ctx = notify.WithGroupLabels(ctx, g.labels)
	ctx = notify.WithReceiverName(ctx, opts.Receiver)
	ctx = notify.WithRepeatInterval(ctx, opts.RepeatInterval)
	ctx, unmuted, err := am.mute.Exec(ctx, am.logger, batch...)
	if err != nil {
		return err
	}
	am.log.now = now
	for i, sendResolved := range am.in.sendResolved[opts.Receiver] {
		recv := &nflogpb.Receiver{GroupName: opts.Receiver, Integration: "integration", Idx: uint32(i)}
		dctx, toSend, err := notify.NewDedupStage(resolvedSender(sendResolved), am.log, recv).Exec(ctx, am.logger, unmuted...)
		if err != nil {
			return err
		}
		if len(toSend) == 0 {
			continue
		}
		// The retry stage drops resolved alerts for integrations that do
		// not send them, and sends nothing when nothing is left.
		n := Notification{At: Offset(now.Sub(am.incident)), Receiver: opts.Receiver, Status: "resolved"}
		if reason, ok := notify.NotificationReason(dctx); ok {
			n.Reason = reason.String()
		}
		sevs := map[string]bool{}
		for _, a := range toSend {
			name := display(string(a.Labels[labels.AlertName]), labelMap(a.Labels))
			if a.Resolved() {
				n.Resolved = append(n.Resolved, name)
				continue
			}
			n.Status = "firing"
			n.Firing = append(n.Firing, name)
			sevs[string(a.Labels[slo.LabelSeverity])] = true
		}
		n.Severities = sortedKeys(sevs)
		if n.Status == "firing" || sendResolved {
			if !sendResolved {
				n.Resolved = nil
			}
			if i == 0 || !am.duplicate(n) {
				am.notifications = append(am.notifications, n)
			}
		}
		if _, _, err := notify.NewSetNotifiesStage(am.log, recv, featurecontrol.NoopFlags{}).Exec(dctx, am.logger, toSend...); err != nil {
			return err
		}
	}
	// Delete the resolved alerts just notified about; an empty group is gone.
	if len(resolved) > 0 {
		_ = g.alerts.DeleteIfNotModified(resolved, false)
	}
	if g.alerts.Empty() {
		delete(am.groups, g.key)
	}
	return nil
}

// duplicate reports whether the receiver's previous integration just
// recorded the same notification: a receiver with several integrations
// notifies once per integration, but the timeline names receivers.
func (am *simAlertmanager) duplicate(n Notification) bool {
	if len(am.notifications) == 0 {
		return false
	}
	p := am.notifications[len(am.notifications)-1]
	return fmt.Sprint(p) == fmt.Sprint(n)
}

func labelMap(ls prommodel.LabelSet) map[string]string {
	m := make(map[string]string, len(ls))
	for k, v := range ls {
		m[string(k)] = string(v)
	}
	return m
}

type resolvedSender bool

func (r resolvedSender) SendResolved() bool { return bool(r) }

// integrationsSendResolved lists, for each integration of a receiver (in
// the order Alertmanager builds them), whether it sends resolved
// notifications: every *_configs list of the receiver holds configs with
// a SendResolved method.
func integrationsSendResolved(r amconfig.Receiver) []bool {
	var out []bool
	v := reflect.ValueOf(r)
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Slice {
			continue
		}
		for j := 0; j < f.Len(); j++ {
			if c, ok := f.Index(j).Interface().(interface{ SendResolved() bool }); ok {
				out = append(out, c.SendResolved())
			}
		}
	}
	return out
}

// simLog is Alertmanager's notification log with entries stamped with the
// simulated time of the flush that wrote them: nflog.Log stamps them with
// the wall clock, which DedupStage then compares with the repeat interval.
type simLog struct {
	log *nflog.Log
	now time.Time
	at  map[string]time.Time
}

func logKey(gkey string, r *nflogpb.Receiver) string {
	return fmt.Sprintf("%s/%s/%s/%d", gkey, r.GroupName, r.Integration, r.Idx)
}

func (l *simLog) Log(r *nflogpb.Receiver, gkey string, firing, resolved, muted []uint64, st *nflog.Store, expiry time.Duration) error {
	l.at[logKey(gkey, r)] = l.now
	return l.log.Log(r, gkey, firing, resolved, muted, st, expiry)
}

func (l *simLog) Query(params ...nflog.QueryParam) ([]*nflogpb.Entry, error) {
	es, err := l.log.Query(params...)
	out := make([]*nflogpb.Entry, len(es))
	for i, e := range es {
		c := proto.Clone(e).(*nflogpb.Entry)
		if at, ok := l.at[logKey(string(e.GroupKey), e.Receiver)]; ok {
			c.Timestamp = timestamppb.New(at)
		}
		out[i] = c
	}
	return out, err
}

// feedProvider is the provider the inhibitor subscribes to: the alerts
// the simulation feeds it, one by one.
type feedProvider struct{ ch chan *provider.Alert }

func (p feedProvider) Subscribe(string) provider.AlertIterator {
	return provider.NewAlertIterator(p.ch, make(chan struct{}), nil)
}

func (p feedProvider) SlurpAndSubscribe(name string) ([]*alert.Alert, provider.AlertIterator) {
	return nil, p.Subscribe(name)
}

func (p feedProvider) GetPending() provider.AlertIterator {
	return provider.NewAlertIterator(make(chan *provider.Alert), make(chan struct{}), nil)
}

func (p feedProvider) Get(prommodel.Fingerprint) (*alert.Alert, error) {
	return nil, provider.ErrNotFound
}

func (p feedProvider) Put(context.Context, ...*alert.Alert) error { return nil }
