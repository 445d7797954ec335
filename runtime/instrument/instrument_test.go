package instrument_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stackc/stackc/runtime/instrument"
)

// nopWriter is a ResponseWriter that allocates nothing, so benchmarks and
// allocation tests measure the middleware alone.
type nopWriter struct {
	h    http.Header
	code int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(code int)        { w.code = code }

func newRED(t testing.TB, codes []int) (*instrument.RED, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "h"}, []string{"endpoint", "method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http_request_duration_seconds", Help: "h", Buckets: []float64{0.1, 1}}, []string{"endpoint", "method"})
	inFlight := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "http_requests_in_flight", Help: "h"}, []string{"endpoint", "method"})
	reg.MustRegister(requests, duration, inFlight)
	eps := []instrument.Endpoint{
		{Name: "list", Method: "GET", Route: "/items"},
		{Name: "get", Method: "GET", Route: "/items/{id}"},
		{Name: "create", Method: "POST", Route: "/items/"},
	}
	red, err := instrument.NewRED(requests, duration, inFlight, eps, codes)
	if err != nil {
		t.Fatal(err)
	}
	return red, reg
}

func TestCodeLabel(t *testing.T) {
	red, _ := newRED(t, []int{200, 201, 404, 500})
	for _, tc := range []struct {
		code int
		want string
	}{
		{200, "200"}, {201, "201"}, {404, "404"}, {500, "500"},
		{101, "1xx"}, {204, "2xx"}, {302, "3xx"}, {418, "4xx"}, {499, "499"}, {502, "5xx"},
		{599, "5xx"}, {600, "5xx"}, {999, "5xx"}, {42, "5xx"}, {-1, "5xx"},
	} {
		if got := red.CodeLabel(tc.code); got != tc.want {
			t.Errorf("CodeLabel(%d) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

func TestNewREDRejects(t *testing.T) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r", Help: "h"}, []string{"endpoint", "method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "d", Help: "h"}, []string{"endpoint", "method"})
	inFlight := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "i", Help: "h"}, []string{"endpoint", "method"})
	wrongLabels := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r", Help: "h"}, []string{"path", "code"})
	for _, tc := range []struct {
		name     string
		requests *prometheus.CounterVec
		codes    []int
		want     string
	}{
		{"code out of range", requests, []int{200, 700}, "700"},
		{"wrong labels", wrongLabels, []int{200}, "requests counter"},
		{"missing metric", nil, []int{200}, "needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := instrument.NewRED(tc.requests, duration, inFlight, []instrument.Endpoint{{Name: "a", Method: "GET", Route: "/"}}, tc.codes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestEverySeriesBound checks that every endpoint x code combination (and
// the unmatched endpoint) is exported at zero before any request.
func TestEverySeriesBound(t *testing.T) {
	_, reg := newRED(t, []int{200, 404})
	// 4 endpoints (3 + unmatched) x (2 codes + 499 + 5 classes).
	for name, want := range map[string]int{"http_requests_total": 4 * 8, "http_request_duration_seconds": 4, "http_requests_in_flight": 4} {
		if n := count(t, reg, name); n != want {
			t.Errorf("%s has %d series, want %d", name, n, want)
		}
	}
}

func TestRoutes(t *testing.T) {
	red, reg := newRED(t, []int{200, 201, 404, 405})
	ok := func(code int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
	}
	mux := http.NewServeMux()
	if err := red.Routes(mux, []http.Handler{ok(200), ok(200), ok(201)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/items"}, {"GET", "/items/1"}, {"GET", "/items/2"}, {"POST", "/items/"},
		{"GET", "/nope"}, {"GET", "/items/1/2"}, {"DELETE", "/items"}, {"POST", "/items/x/y"},
	} {
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, tc.path, nil))
	}
	diff(t, "http_requests_total", series(t, reg, "http_requests_total"), map[string]float64{
		`code="200",endpoint="get",method="GET"`:        2,
		`code="200",endpoint="list",method="GET"`:       1,
		`code="201",endpoint="create",method="POST"`:    1,
		`code="404",endpoint="_unmatched",method="ANY"`: 4,
	})
	diff(t, "http_request_duration_seconds", series(t, reg, "http_request_duration_seconds"), map[string]float64{
		`endpoint="get",method="GET"`:        2,
		`endpoint="list",method="GET"`:       1,
		`endpoint="create",method="POST"`:    1,
		`endpoint="_unmatched",method="ANY"`: 4,
	})
}

// series returns the non-zero series of the metric family name as
// `label="value",...` (labels sorted) -> value; histograms report their count.
func series(t *testing.T, g prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
			if v == 0 {
				continue
			}
			var parts []string
			for _, l := range m.Label {
				parts = append(parts, l.GetName()+"="+strconv.Quote(l.GetValue()))
			}
			out[strings.Join(parts, ",")] = v
		}
	}
	return out
}

// count returns how many series the metric family name has, zero or not.
func count(t *testing.T, g prometheus.Gatherer, name string) int {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.Metric)
		}
	}
	return 0
}

func diff(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func TestRoutesConflictIsAnError(t *testing.T) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r", Help: "h"}, []string{"endpoint", "method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "d", Help: "h"}, []string{"endpoint", "method"})
	inFlight := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "i", Help: "h"}, []string{"endpoint", "method"})
	red, err := instrument.NewRED(requests, duration, inFlight, []instrument.Endpoint{
		{Name: "a", Method: "GET", Route: "/a/{x}"},
		{Name: "b", Method: "GET", Route: "/{y}/a"},
	}, []int{200})
	if err != nil {
		t.Fatal(err)
	}
	h := http.NotFoundHandler()
	if err := red.Routes(http.NewServeMux(), []http.Handler{h, h}, nil); err == nil || !strings.Contains(err.Error(), "conflicts") {
		t.Fatalf("err = %v, want a pattern conflict", err)
	}
}

func TestWriterRecordsFinalCode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"implicit 200 on write", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) }, "200"},
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, "200"},
		{"early hints then 404", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNotFound)
		}, "404"},
		{"second WriteHeader ignored", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			w.WriteHeader(http.StatusOK)
		}, "404"},
		{"flush means 200", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			w.WriteHeader(http.StatusNotFound)
		}, "200"},
		{"unlisted code as class", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, "5xx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			red, reg := newRED(t, []int{200, 404})
			red.Wrap(0, tc.handler).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/items", nil))
			diff(t, "http_requests_total", series(t, reg, "http_requests_total"), map[string]float64{
				`code="` + tc.want + `",endpoint="list",method="GET"`: 1,
			})
		})
	}
}

func TestPanicIsCountedAs500(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value any
		wrote bool
	}{
		{"abort handler", http.ErrAbortHandler, false},
		{"plain panic", "boom", false},
		{"panic after 200 written", "boom", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			red, reg := newRED(t, []int{200, 500})
			h := red.Wrap(0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.wrote {
					w.WriteHeader(http.StatusOK)
				}
				panic(tc.value)
			}))
			var got any
			func() {
				defer func() { got = recover() }()
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/items", nil))
			}()
			// net/http treats http.ErrAbortHandler specially, so the value
			// must come through unchanged.
			if got != tc.value {
				t.Errorf("re-panicked with %v, want %v", got, tc.value)
			}
			diff(t, "http_requests_in_flight", series(t, reg, "http_requests_in_flight"), map[string]float64{})
			diff(t, "http_requests_total", series(t, reg, "http_requests_total"), map[string]float64{
				`code="500",endpoint="list",method="GET"`: 1,
			})
			diff(t, "http_request_duration_seconds", series(t, reg, "http_request_duration_seconds"), map[string]float64{
				`endpoint="list",method="GET"`: 1,
			})
		})
	}
}

// TestPanicThroughServer checks the panic reaches net/http: the client's
// connection is aborted rather than answered, and the request is counted.
func TestPanicThroughServer(t *testing.T) {
	red, reg := newRED(t, []int{200, 500})
	mux := http.NewServeMux()
	boom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	if err := red.Routes(mux, []http.Handler{boom, ok, ok}, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	if resp, err := srv.Client().Get(srv.URL + "/items"); err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want the connection aborted", resp.StatusCode)
	}
	diff(t, "http_requests_total", series(t, reg, "http_requests_total"), map[string]float64{
		`code="500",endpoint="list",method="GET"`: 1,
	})
}

// benchService is a service like the demo shop, for allocation tests and
// benchmarks: its endpoint 0 serves /products/{id}.
var benchService = instrument.Service{
	Name:           "bench",
	Endpoints:      []instrument.Endpoint{{Name: "get_product", Method: "GET", Route: "/products/{id}"}},
	StatusCodes:    []int{200, 201, 400, 404, 409, 500, 503},
	LatencyBuckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5},
}

func TestNoAllocations(t *testing.T) {
	in, err := instrument.NewInstance(prometheus.NewRegistry(), benchService)
	if err != nil {
		t.Fatal(err)
	}
	h := in.HTTP.Wrap(0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	w := &nopWriter{h: http.Header{}}
	req := httptest.NewRequest("GET", "/products/42", nil)
	if allocs := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, req) }); allocs != 0 {
		t.Errorf("the generated middleware allocates %v times per request, want 0", allocs)
	}
}

func TestLabelCombinations(t *testing.T) {
	got := instrument.LabelCombinations([]string{"a", "b"}, []string{"x", "y", "z"})
	want := "a,x a,y a,z b,x b,y b,z"
	var parts []string
	for _, c := range got {
		parts = append(parts, strings.Join(c, ","))
	}
	if strings.Join(parts, " ") != want {
		t.Errorf("LabelCombinations = %v, want %s", parts, want)
	}
}

// BenchmarkMiddleware measures one request through each middleware with a
// trivial handler. Run: go test ./runtime/instrument -run '^$' -bench Middleware -benchmem
func BenchmarkMiddleware(b *testing.B) {
	trivial := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	req := httptest.NewRequest("GET", "/products/42", nil)
	run := func(b *testing.B, h http.Handler) {
		w := &nopWriter{h: http.Header{}}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			h.ServeHTTP(w, req)
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, trivial) })
	b.Run("generated", func(b *testing.B) {
		in, err := instrument.NewInstance(prometheus.NewRegistry(), benchService)
		if err != nil {
			b.Fatal(err)
		}
		run(b, in.HTTP.Wrap(0, trivial))
	})
	b.Run("promhttp", func(b *testing.B) {
		reg := prometheus.NewRegistry()
		requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "h"}, []string{"endpoint", "method", "code"})
		duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http_request_duration_seconds", Help: "h", Buckets: benchService.LatencyBuckets}, []string{"endpoint", "method"})
		reg.MustRegister(requests, duration)
		ep := prometheus.Labels{"endpoint": "get_product"}
		run(b, promhttp.InstrumentHandlerCounter(requests.MustCurryWith(ep),
			promhttp.InstrumentHandlerDuration(duration.MustCurryWith(ep), trivial)))
	})
}

func TestPattern(t *testing.T) {
	for _, tc := range []struct{ method, route, want string }{
		{"GET", "/", "GET /{$}"},
		{"GET", "/items", "GET /items"},
		{"POST", "/items/{id}/tags", "POST /items/{id}/tags"},
		{"GET", "/dir/", "GET /dir/{$}"},
	} {
		if got := (instrument.Endpoint{Method: tc.method, Route: tc.route}).Pattern(); got != tc.want {
			t.Errorf("Pattern(%s %s) = %q, want %q", tc.method, tc.route, got, tc.want)
		}
	}
}

// TestClientDisconnectIs499 serves real requests and cancels some on the
// client side while the handler waits: a request whose client went away
// before the handler wrote its status is recorded as 499, whatever the
// handler answers then (a 503 into the closed connection, or nothing); a
// status written before the client left keeps its code, and a handler that
// fails without any client leaving stays a server error.
func TestClientDisconnectIs499(t *testing.T) {
	tests := []struct {
		name string
		// answer runs after the client cancels (or at once, when it does not).
		answer func(w http.ResponseWriter)
		// before is written before the client cancels.
		before bool
		cancel bool
		want   string
	}{
		{"503 after the client left", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }, false, true, "499"},
		{"body after the client left", func(w http.ResponseWriter) { w.Write([]byte("late")) }, false, true, "499"},
		{"nothing after the client left", func(w http.ResponseWriter) {}, false, true, "499"},
		{"200 before the client left", func(w http.ResponseWriter) {}, true, true, "200"},
		{"503 with the client waiting", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }, false, false, "503"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			red, reg := newRED(t, []int{200, 503})
			entered := make(chan struct{})
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.before {
					w.WriteHeader(http.StatusOK)
					w.(http.Flusher).Flush()
				}
				close(entered)
				if tc.cancel {
					<-r.Context().Done() // like the demo's simulated latency
				}
				tc.answer(w)
			})
			mux := http.NewServeMux()
			ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
			if err := red.Routes(mux, []http.Handler{handler, ok, ok}, nil); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(mux)
			defer srv.Close()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/items", nil)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				resp, err := srv.Client().Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				done <- err
			}()
			select {
			case <-entered:
			case <-time.After(10 * time.Second):
				t.Fatal("the request never reached the handler")
			}
			if tc.cancel {
				cancel()
			}
			if err := <-done; tc.cancel != (err != nil) {
				t.Fatalf("client error %v, want an error: %v", err, tc.cancel)
			}
			// The server records the request when the handler returns,
			// which may be after the client saw its connection close.
			want := map[string]float64{`code="` + tc.want + `",endpoint="list",method="GET"`: 1}
			deadline := time.Now().Add(10 * time.Second)
			for {
				got := series(t, reg, "http_requests_total")
				if reflect.DeepEqual(got, want) || time.Now().After(deadline) {
					diff(t, "http_requests_total", got, want)
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
