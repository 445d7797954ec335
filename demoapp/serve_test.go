package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/demoapp/loadgen"
	"github.com/stackc/stackc/demoapp/sim"
	"github.com/stackc/stackc/out/metrics"
	"github.com/stackc/stackc/runtime/instrument"
	"github.com/stackc/stackc/tools"
)

// syncBuffer collects a server's logs for printing on failure.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is a demo app served on free loopback ports for one test.
type running struct {
	base, admin string
	app         *app
	// stop shuts the app down as a signal would and returns serve's error.
	stop func() error
}

// shopService returns the spec's shop service; a spec without one skips
// the test (TestEveryServiceOfAnySpec covers every spec).
func shopService(t *testing.T) instrument.Service {
	t.Helper()
	svc, ok := metrics.Lookup("shop")
	if !ok {
		t.Skip("the spec built into out/ has no shop service")
	}
	return svc
}

// noSim serves without simulated latency or errors, so tests run fast and
// their expectations are exact.
var noSim = appOptions{Sim: sim.Options{LatencyScale: 0, NoErrors: true}}

func start(t *testing.T, svc instrument.Service, opts appOptions) *running {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	a, err := newApp(svc, opts, log)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adm, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, pub, adm, log) }()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			serveErr = <-done
		})
		return serveErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server logs:\n%s", logs)
		}
	})
	r := &running{base: "http://" + pub.Addr().String(), admin: "http://" + adm.Addr().String(), app: a, stop: stop}
	waitFor(t, "the app to be ready", func() bool {
		resp, err := http.Get(r.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return r
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func get(t *testing.T, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// scrape returns the app's metric families, parsed from the text format.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	_, body := get(t, base+"/metrics", nil)
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return mfs
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// genericService is a service the demo has no business logic for, built
// the way generated code builds one.
func genericService() instrument.Service {
	eps := []instrument.Endpoint{
		{Name: "search", Method: "GET", Route: "/search", Sim: instrument.Sim{Weight: 1}},
		{Name: "upload", Method: "POST", Route: "/files/{name}", Sim: instrument.Sim{Weight: 1}},
	}
	return instrument.Service{
		Name: "generic", Port: 1, AdminPort: 2, Endpoints: eps,
		StatusCodes:    []int{200, 201, 404, 500},
		LatencyBuckets: []float64{0.1, 0.5, 1},
		Metrics: []instrument.MetricDesc{
			{Name: "searches_total", Type: instrument.Counter, Help: "Searches.", Labels: []instrument.LabelDesc{{Name: "kind", Values: []string{"text", "image"}}}},
			{Name: "upload_bytes", Type: instrument.Summary, Help: "Upload size.", Objectives: map[float64]float64{0.5: 0.05}},
		},
	}
}

// hitEveryEndpoint sends one request to each endpoint and one unmatched.
func hitEveryEndpoint(t *testing.T, base string, eps []instrument.Endpoint) {
	t.Helper()
	for _, ep := range eps {
		req, err := http.NewRequest(ep.Method, base+loadgen.Path(ep.Route), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	resp, _ := get(t, base+"/no/such/path", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %s, want 404", resp.Status)
	}
}

// TestPromtoolCheckMetrics lints the live /metrics of a running demo app,
// for the shop and for a generic service, with promtool check metrics.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := tools.Built("promtool")
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []instrument.Service{shopService(t), genericService()} {
		t.Run(svc.Name, func(t *testing.T) {
			r := start(t, svc, noSim)
			hitEveryEndpoint(t, r.base, svc.Endpoints)
			_, body := get(t, r.base+"/metrics", nil)
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(body)
			out, err := cmd.CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) > 0 {
				t.Errorf("promtool check metrics: %v\n%s\n--- metrics:\n%s", err, out, body)
			}
		})
	}
}

func TestMetricsContentNegotiation(t *testing.T) {
	r := start(t, shopService(t), noSim)
	for _, tc := range []struct {
		accept, wantType, wantEnd string
	}{
		{"", "text/plain; version=0.0.4", ""},
		{"application/openmetrics-text; version=1.0.0", "application/openmetrics-text", "# EOF\n"},
	} {
		h := http.Header{}
		if tc.accept != "" {
			h.Set("Accept", tc.accept)
		}
		resp, body := get(t, r.base+"/metrics", h)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.wantType) {
			t.Errorf("Accept %q: Content-Type %q, want %q", tc.accept, ct, tc.wantType)
		}
		if !bytes.HasSuffix(body, []byte(tc.wantEnd)) {
			t.Errorf("Accept %q: body does not end in %q", tc.accept, tc.wantEnd)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	r := start(t, shopService(t), noSim)
	for _, path := range []string{"/healthz", "/readyz"} {
		if resp, _ := get(t, r.base+path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", path, resp.Status)
		}
	}
	r.app.ready.Store(false)
	if resp, _ := get(t, r.base+"/readyz", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz while shutting down: %s, want 503", resp.Status)
	}
}

// tally counts answers by endpoint name and status code.
type tally struct {
	mu    sync.Mutex
	codes map[string]map[int]int
}

func (ta *tally) add(endpoint string, code int) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if ta.codes == nil {
		ta.codes = map[string]map[int]int{}
	}
	if ta.codes[endpoint] == nil {
		ta.codes[endpoint] = map[int]int{}
	}
	ta.codes[endpoint][code]++
}

// TestCountersMatchRequests sends N requests to every endpoint, then 50
// goroutines x 1,000 requests, and checks that the requests counter, the
// duration histogram and the business metrics account for exactly what
// was sent and answered.
func TestCountersMatchRequests(t *testing.T) {
	r := start(t, shopService(t), noSim)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	eps := append(append([]instrument.Endpoint{}, r.app.svc.Endpoints...), instrument.Endpoint{Name: instrument.UnmatchedEndpoint, Method: "GET", Route: "/nowhere/{id}"})
	var ta tally
	send := func(ep instrument.Endpoint, cart string) error {
		req, err := http.NewRequest(ep.Method, r.base+loadgen.Path(ep.Route), nil)
		if err != nil {
			return err
		}
		req.Header.Set("X-Cart-ID", cart)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ta.add(ep.Name, resp.StatusCode)
		return nil
	}
	const n = 25
	for _, ep := range eps {
		for i := 0; i < n; i++ {
			if err := send(ep, "seq"); err != nil {
				t.Fatal(err)
			}
		}
	}
	workers, perWorker := 50, 1000
	if testing.Short() {
		perWorker = 100
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				if err := send(eps[(w+i)%len(eps)], "cart-"+strconv.Itoa(w%10)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	mfs := scrape(t, r.base)
	red := r.app.red
	// Requests by endpoint and code label, as the client saw them.
	want := map[string]float64{}
	sent := map[string]float64{}
	total := 0
	for name, codes := range ta.codes {
		for code, c := range codes {
			want[name+" "+red.CodeLabel(code)] += float64(c)
			sent[name] += float64(c)
			total += c
		}
	}
	if wantTotal := len(eps)*n + workers*perWorker; total != wantTotal {
		t.Fatalf("the client tallied %d answers, want %d", total, wantTotal)
	}
	got := map[string]float64{}
	for _, m := range mfs["http_requests_total"].GetMetric() {
		if v := m.GetCounter().GetValue(); v != 0 {
			got[label(m, "endpoint")+" "+label(m, "code")] = v
		}
	}
	compare(t, "http_requests_total by endpoint and code", got, want)

	gotCount := map[string]float64{}
	for _, m := range mfs["http_request_duration_seconds"].GetMetric() {
		if c := m.GetHistogram().GetSampleCount(); c != 0 {
			gotCount[label(m, "endpoint")] = float64(c)
		}
	}
	compare(t, "http_request_duration_seconds count by endpoint", gotCount, sent)

	for _, m := range mfs["http_requests_in_flight"].GetMetric() {
		if v := m.GetGauge().GetValue(); v != 0 {
			t.Errorf("in flight %s = %v after every answer", label(m, "endpoint"), v)
		}
	}

	// Business metrics: every 201 from checkout is an order, every 402 a
	// payment failure.
	orders := float64(ta.codes["checkout"][http.StatusCreated])
	failures := float64(ta.codes["checkout"][http.StatusPaymentRequired])
	sum := func(name string) float64 {
		s := 0.0
		for _, m := range mfs[name].GetMetric() {
			s += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount()) + float64(m.GetSummary().GetSampleCount())
		}
		return s
	}
	for name, want := range map[string]float64{
		"shop_orders_total": orders, "shop_order_value_euros": orders, "shop_cart_items": orders,
		"shop_payment_failures_total": failures,
	} {
		if got := sum(name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if orders == 0 {
		t.Error("no checkout succeeded; the test exercised no business metric")
	}
}

func compare(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %v, want %v", what, k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s = %v", what, k, v)
		}
	}
}

// TestEverySeriesExported checks the zero-initialised series on /metrics:
// every endpoint (and the unmatched one) with every code label value.
func TestEverySeriesExported(t *testing.T) {
	r := start(t, shopService(t), noSim)
	mfs := scrape(t, r.base)
	codes := instrument.CodeLabels(r.app.svc.StatusCodes)
	want := map[string]bool{}
	for _, ep := range append(append([]instrument.Endpoint{}, r.app.svc.Endpoints...), instrument.Endpoint{Name: instrument.UnmatchedEndpoint, Method: instrument.UnmatchedMethod}) {
		for _, c := range codes {
			want[fmt.Sprintf("%s %s %s", ep.Name, ep.Method, c)] = true
		}
	}
	got := map[string]bool{}
	for _, m := range mfs["http_requests_total"].GetMetric() {
		got[fmt.Sprintf("%s %s %s", label(m, "endpoint"), label(m, "method"), label(m, "code"))] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("series %s is not exported", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("http_requests_total has %d series, want %d", len(got), len(want))
	}
	// payment x reason, every combination.
	if n := len(mfs["shop_payment_failures_total"].GetMetric()); n != 6 {
		t.Errorf("shop_payment_failures_total has %d series, want 6", n)
	}
}

// TestGracefulShutdown stops the app while a slow request is in flight:
// the request still gets its answer, and the app stops listening.
func TestGracefulShutdown(t *testing.T) {
	r := start(t, shopService(t), noSim)
	if _, err := (fault.Client{Base: r.admin}).Set(context.Background(), "get_cart", fault.Request{Latency: "300ms"}); err != nil {
		t.Fatal(err)
	}
	answer := make(chan int, 1)
	go func() {
		resp, err := http.Get(r.base + "/cart")
		if err != nil {
			answer <- -1
			return
		}
		resp.Body.Close()
		answer <- resp.StatusCode
	}()
	waitFor(t, "the slow request to be in flight", func() bool {
		for _, m := range scrape(t, r.base)["http_requests_in_flight"].GetMetric() {
			if label(m, "endpoint") == "get_cart" && m.GetGauge().GetValue() == 1 {
				return true
			}
		}
		return false
	})
	if err := r.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if code := <-answer; code != http.StatusOK {
		t.Errorf("the request in flight during shutdown got %d, want 200", code)
	}
	if resp, err := http.Get(r.base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("the app still answers after shutdown")
	}
}
