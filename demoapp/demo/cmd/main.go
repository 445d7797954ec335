// Command cmd is `make demo`: it runs the whole stack natively on free
// loopback ports, breaks one SLO's endpoint, and shows the page arrive in
// the alert inbox and resolve after the fault is cleared. Ctrl-C stops
// every server.
//
//	go run ./demoapp/demo/cmd [--spec stack.jsonnet] [--rps 20] [--quiet] [--keep]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/demoapp/demo"
	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/demoapp/inbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specPath := fs.String("spec", "", "spec file (default: the repository's stack.jsonnet)")
	rps := fs.Float64("rps", demo.DefaultRPS, "traffic generator requests per second")
	keep := fs.Bool("keep", false, "keep the working directory (configs, data, logs)")
	quiet := fs.Bool("quiet", false, "turn the demo app's simulated errors and latency off: only the injected fault burns budget")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	opts := demo.Options{Spec: *specPath, RPS: *rps, Quiet: *quiet, Status: stdout}
	if *keep {
		dir, err := os.MkdirTemp("", "stackc-demo-")
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		opts.Dir = dir
	}
	// Alerts are printed as they arrive, from the inbox's goroutine.
	opts.OnAlert = func(e inbox.Entry) {
		fmt.Fprintf(stdout, "    inbox: %s\n", e.Line())
	}
	st, err := demo.Start(ctx, opts)
	if st != nil {
		defer func() {
			fmt.Fprintln(stdout, "==> stopping every server")
			st.Close()
			if *keep {
				fmt.Fprintf(stdout, "==> configs, data and logs kept in %s\n", st.Dir)
			}
		}()
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0 // Ctrl-C while starting
		}
		fmt.Fprintf(stderr, "demo: %v\n", err)
		if st != nil {
			fmt.Fprint(stderr, st.Logs())
		}
		return 1
	}
	if err := scenario(ctx, st, stdout); err != nil {
		if ctx.Err() != nil {
			return 0 // Ctrl-C
		}
		fmt.Fprintf(stderr, "demo: %v\n%s", err, st.Logs())
		return 1
	}
	return 0
}

func scenario(ctx context.Context, st *demo.Stack, out io.Writer) error {
	b, err := demo.PickBreakage(st.Model)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, `
    Prometheus     %s/alerts
    Alertmanager   %s
    alert inbox    %s/   (JSON: %s/api/alerts)
`, st.Prometheus, st.Alertmanager, st.Inbox, st.Inbox)
	for _, sv := range st.Services {
		fmt.Fprintf(out, "    %-14s %s/metrics   (fault API %s/faults)\n", sv.Name, sv.URL, sv.Admin)
	}
	fmt.Fprintf(out, "    logs           %s/logs\n\n", st.Dir)

	warm, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := st.WaitWarm(warm, b); err != nil {
		return err
	}
	// The running apps keep the contract the rules and dashboards rely on,
	// as `stackc verify` checks it.
	problems, summaries, err := st.Verify(ctx)
	if err != nil {
		fmt.Fprintf(out, "==> stackc verify: %v\n", err)
	}
	for _, s := range summaries {
		fmt.Fprintf(out, "==> %s\n", s)
	}
	for _, p := range problems {
		fmt.Fprintf(out, "    %s\n", p)
	}
	forDur, err := st.PageFor(ctx, b)
	if err != nil {
		return err
	}
	bound := demo.Bound(st.Model, b.PageLabels(), forDur)

	after := st.Received.Total()
	fmt.Fprintf(out, "==> injecting a full outage into %s %s (SLO %s); expecting %s within ~%s\n",
		b.Service.Name, b.Endpoint, b.SLO.Name, b.PageLabels()["alertname"], bound)
	start := time.Now()
	if err := st.InjectFault(ctx, b.Service.Name, b.Endpoint, fault.Request{ErrorRate: 1}); err != nil {
		return err
	}
	page, err := waitPage(ctx, st, b, after, bound)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "==> paged after %.1fs (bound %s): %s\n", page.Received.Sub(start).Seconds(), bound, page.Line())

	// Every other service with a pageable SLO pages its own team's route.
	for _, ob := range demo.PickBreakages(st.Model) {
		if ob.Service.Name == b.Service.Name {
			continue
		}
		// Its own deadline: the first incident has used the first's.
		owarm, ocancel := context.WithTimeout(ctx, 3*time.Minute)
		err := st.WaitWarm(owarm, ob)
		ocancel()
		if err != nil {
			return err
		}
		ofor, err := st.PageFor(ctx, ob)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "==> injecting a full outage into %s %s (SLO %s, team %s)\n", ob.Service.Name, ob.Endpoint, ob.SLO.Name, ob.Service.Team)
		ostart, obefore := time.Now(), st.Received.Total()
		if err := st.InjectFault(ctx, ob.Service.Name, ob.Endpoint, fault.Request{ErrorRate: 1}); err != nil {
			return err
		}
		op, err := waitPage(ctx, st, ob, obefore, demo.Bound(st.Model, ob.PageLabels(), ofor))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "==> %s paged after %.1fs through %s: %s\n", ob.Service.Name, op.Received.Sub(ostart).Seconds(), op.Receiver, op.Line())
		if err := st.ClearFault(ctx, ob.Service.Name, ob.Endpoint); err != nil {
			return err
		}
	}

	fmt.Fprintf(out, "==> clearing the fault; the page resolves once the errors leave the %s window of the fastest page tier that fired (a few minutes)\n",
		model.Duration(slo.Tiers[0].Short))
	cleared := time.Now()
	if err := st.ClearFault(ctx, b.Service.Name, b.Endpoint); err != nil {
		return err
	}
	if rs := demo.Receivers(st.Model, b.PageLabels()); !sendsResolved(st.Model, rs) {
		// No notification will say so: watch the Alertmanager instead.
		if err := demo.Poll(ctx, time.Second, "the page to resolve in the Alertmanager", func() error {
			n, err := st.ActiveAlerts(ctx, b.PageLabels())
			if err == nil && n > 0 {
				err = fmt.Errorf("%d active", n)
			}
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(out, "==> resolved in the Alertmanager %.0fs after the fault was cleared; no resolved notification: receiver %s has sendResolved false\n",
			time.Since(cleared).Seconds(), strings.Join(rs, ", "))
	} else {
		resolved, err := st.WaitAlert(ctx, page.Seq, func(e inbox.Entry) bool {
			return e.Status == "resolved" && e.Fingerprint == page.Fingerprint
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "==> resolved %.0fs after the fault was cleared: %s\n", resolved.Received.Sub(cleared).Seconds(), resolved.Line())
	}
	fmt.Fprintln(out, "    (one page and one resolve per incident: slower tiers stay quiet while their windows drain; see docs/alerting.md)")
	fmt.Fprintln(out, "==> the stack keeps running; press Ctrl-C to stop it")
	<-ctx.Done()
	return ctx.Err()
}

// waitPage waits for the page of b after the inbox's sequence number
// after. A page that has not arrived long after its bound will not: the
// error says where it stopped rather than leaving the demo silent.
func waitPage(ctx context.Context, st *demo.Stack, b demo.Breakage, after int, bound time.Duration) (inbox.Entry, error) {
	wait := pageTimeout(bound)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	page, err := st.WaitAlert(ctx, after, func(e inbox.Entry) bool { return e.Status == "firing" && b.Matches(e) })
	if err == nil || ctx.Err() == nil || errors.Is(context.Cause(ctx), context.Canceled) {
		return page, err
	}
	where := "Prometheus has not fired it (see its /alerts page and logs/prometheus.log)"
	if n, aerr := st.ActiveAlerts(context.Background(), b.PageLabels()); aerr == nil && n > 0 {
		where = "the Alertmanager holds it but no notification reached the inbox (see logs/alertmanager.log)"
	}
	return page, fmt.Errorf("no page %s in the inbox %s after the fault (bound %s): %s",
		b.PageLabels()["alertname"], wait, bound, where)
}

// pageTimeout is how long the demo waits for a page of bound: several
// bounds, for a loaded machine, and at least two minutes.
func pageTimeout(bound time.Duration) time.Duration {
	return max(4*bound, 2*time.Minute)
}

// sendsResolved reports whether any of the receivers notifies resolved alerts.
func sendsResolved(st *model.Stack, receivers []string) bool {
	for _, r := range st.Alerting.Receivers {
		if r.SendResolved && slices.Contains(receivers, r.Name) {
			return true
		}
	}
	return false
}
