package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackc/stackc/demoapp/demo"
	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/demoapp/inbox"
)

// The steps both end-to-end tests share: start a stack and wait until it is
// warm, break an SLO and wait for its page, clear the fault and wait for
// the resolve, count the incident's notifications. Each bounds its waits,
// and a stack is stopped (its logs printed first when the test failed)
// however the test ends.

// Time limits: each test (within make e2e's go test -timeout 25m, so a
// stuck run still cleans up), and its phases.
const (
	testTimeout    = 20 * time.Minute
	warmTimeout    = 3 * time.Minute
	resolveTimeout = 10 * time.Minute
)

// summaryLines are printed after every test ran, as the output's last lines,
// in the order of the tests' names (the tests run in parallel).
var (
	summaryMu    sync.Mutex
	summaryLines = map[string]string{}
)

// setSummary records the test's lines for the end of the output.
func setSummary(t *testing.T, lines ...string) {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	summaryLines[t.Name()] = strings.Join(lines, "\n")
}

func TestMain(m *testing.M) {
	code := m.Run()
	names := make([]string, 0, len(summaryLines))
	for name := range summaryLines {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Println(summaryLines[name])
	}
	os.Exit(code)
}

// logWriter turns status lines into test log lines.
type logWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// stop drops further lines: the inbox may still write while the stack
// stops, and a test must not log after it has completed.
func (w *logWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// startWarm starts the native stack of specPath (stack.jsonnet if empty) in
// a temporary directory, picks the SLO to break, and waits until the stack
// is warm for it (demo.Stack.WaitWarm) within warmTimeout. The stack's
// servers live until ctx ends or the test's cleanup; when the test failed,
// the cleanup logs every server's log first.
func startWarm(ctx context.Context, t *testing.T, specPath string) (*demo.Stack, demo.Breakage) {
	t.Helper()
	w := &logWriter{t: t}
	t.Cleanup(w.stop)
	st, err := demo.Start(ctx, demo.Options{
		Spec:   specPath,
		Dir:    t.TempDir(),
		Quiet:  true,
		Status: w,
		Alerts: w,
	})
	if st != nil {
		// Registered after t.TempDir and w.stop, so it runs before both:
		// the logs are read before the directory goes, and the inbox's
		// last lines still reach the test's log.
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("server logs:\n%s", st.Logs())
			}
			st.Close()
		})
	}
	if err != nil {
		t.Fatalf("starting the stack: %v", err)
	}
	b, err := demo.PickBreakage(st.Model)
	if err != nil {
		t.Fatal(err)
	}
	warm, cancel := context.WithTimeout(ctx, warmTimeout)
	defer cancel()
	if err := st.WaitWarm(warm, b); err != nil {
		t.Fatal(err)
	}
	return st, b
}

// incident is a full outage of one SLO's endpoint and the page it caused.
type incident struct {
	b demo.Breakage
	// before is the inbox's sequence number before the fault: the
	// incident's notifications come after it.
	before int
	// start is when the fault was injected.
	start time.Time
	page  inbox.Entry
	// bound is the page's theoretical fault-to-notification time.
	bound time.Duration
}

// breakAndPage injects a full outage into b's endpoint and waits for the
// page of b's SLO: at most four times its theoretical fault-to-notification
// time (demo.Bound), plus a minute for a loaded machine.
func breakAndPage(ctx context.Context, t *testing.T, st *demo.Stack, b demo.Breakage) incident {
	t.Helper()
	forDur, err := st.PageFor(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	in := incident{b: b, bound: demo.Bound(st.Model, b.PageLabels(), forDur)}
	t.Logf("injecting a full outage into %s %s (SLO %s)", b.Service.Name, b.Endpoint, b.SLO.Name)
	in.before, in.start = st.Received.Total(), time.Now()
	if err := st.InjectFault(ctx, b.Service.Name, b.Endpoint, fault.Request{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	pageCtx, cancel := context.WithTimeout(ctx, 4*in.bound+time.Minute)
	defer cancel()
	page, err := st.WaitAlert(pageCtx, in.before, func(e inbox.Entry) bool { return e.Status == "firing" && b.Matches(e) })
	if err != nil {
		t.Fatalf("no page for %s's %s: %v", b.Service.Name, b.SLO.Name, err)
	}
	in.page = page
	t.Logf("%s paged after %s: %s (sent by %s)", b.Service.Name, page.Received.Sub(in.start).Round(100*time.Millisecond), page.Line(), page.ExternalURL)
	return in
}

// clearAndResolve clears the incident's fault and waits, within
// resolveTimeout, for its page to resolve; it returns the resolve and when
// the fault was cleared.
func clearAndResolve(ctx context.Context, t *testing.T, st *demo.Stack, in incident) (inbox.Entry, time.Time) {
	t.Helper()
	t.Logf("clearing the fault of %s %s", in.b.Service.Name, in.b.Endpoint)
	cleared := time.Now()
	if err := st.ClearFault(ctx, in.b.Service.Name, in.b.Endpoint); err != nil {
		t.Fatal(err)
	}
	resCtx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	resolved, err := st.WaitAlert(resCtx, in.page.Seq, func(e inbox.Entry) bool {
		return e.Status == "resolved" && e.Fingerprint == in.page.Fingerprint
	})
	if err != nil {
		t.Fatalf("the page of %s did not resolve: %v", in.b.SLO.Name, err)
	}
	t.Logf("resolved %s after the fault was cleared: %s (sent by %s)", resolved.Received.Sub(cleared).Round(time.Second), resolved.Line(), resolved.ExternalURL)
	return resolved, cleared
}

// notifications lists the notifications of b's page since the inbox's
// sequence number after.
func notifications(st *demo.Stack, after int, b demo.Breakage) []inbox.Entry {
	var out []inbox.Entry
	for _, e := range st.Received.Alerts() {
		if e.Seq > after && b.Matches(e) {
			out = append(out, e)
		}
	}
	return out
}

// count counts the pages (firing) and resolves among notifications.
func count(es []inbox.Entry) (pages, resolves int) {
	for _, e := range es {
		switch e.Status {
		case "firing":
			pages++
		case "resolved":
			resolves++
		}
	}
	return pages, resolves
}

// checkKept fails the test when the inbox received more alerts than it
// keeps: the counts would miss some.
func checkKept(t *testing.T, st *demo.Stack) {
	t.Helper()
	if st.Received.Total() > len(st.Received.Alerts()) {
		t.Errorf("the inbox dropped alerts (%d received): raise its keep", st.Received.Total())
	}
}

// quiet lets d pass: the test checks that nothing arrives meanwhile.
func quiet(ctx context.Context, t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	case <-time.After(d):
	}
}
