package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/demoapp/localhttp"
	"github.com/stackc/stackc/demoapp/sim"
	"github.com/stackc/stackc/demoapp/storefront"
	"github.com/stackc/stackc/runtime/instrument"
)

// shutdownTimeout bounds how long requests in flight may finish after a signal.
const shutdownTimeout = 15 * time.Second

// appOptions configure the served app.
type appOptions struct {
	Sim sim.Options
	// Profile serves net/http/pprof on the admin listener.
	Profile bool
}

// app is one served service: its public and admin handlers.
type app struct {
	svc    instrument.Service
	reg    *prometheus.Registry
	red    *instrument.RED
	faults *fault.Store
	ready  atomic.Bool
	public http.Handler
	admin  http.Handler
}

// newApp builds the handlers of svc with a fresh registry. Every endpoint
// of the spec gets a handler: the shop's storefront logic where it has
// one, the generic handler otherwise.
func newApp(svc instrument.Service, opts appOptions, log *slog.Logger) (*app, error) {
	a := &app{svc: svc, reg: prometheus.NewRegistry()}
	inst, err := instrument.NewInstance(a.reg, svc)
	if err != nil {
		return nil, err
	}
	red := inst.HTTP
	var business map[string]http.Handler
	if svc.Name == storefrontService {
		shop, problems := storefront.New(inst)
		for _, p := range problems {
			log.Warn(p.Error())
		}
		business = shop.Handlers()
	}
	handlers := make([]http.Handler, len(svc.Endpoints))
	for i, ep := range svc.Endpoints {
		if h, ok := business[ep.Name]; ok {
			handlers[i] = h
		} else {
			handlers[i] = genericHandler(ep)
		}
	}
	names := make([]string, len(svc.Endpoints))
	for i, ep := range svc.Endpoints {
		names[i] = ep.Name
	}
	a.faults = fault.NewStore(names)
	for i, ep := range svc.Endpoints {
		handlers[i] = sim.Handler(i, sim.New(ep.Sim), a.faults, opts.Sim, handlers[i])
	}

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelError),
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !a.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	a.red = red
	if err := red.Routes(mux, handlers, nil); err != nil {
		return nil, fmt.Errorf("routes of service %s: %w", svc.Name, err)
	}
	a.public = mux

	admin := http.NewServeMux()
	faults := fault.Handler(a.faults, log)
	admin.Handle("/faults", faults)
	admin.Handle("/faults/", faults)
	if opts.Profile {
		admin.HandleFunc("/debug/pprof/", pprof.Index)
		admin.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		admin.HandleFunc("/debug/pprof/profile", pprof.Profile)
		admin.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		admin.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	// The whole admin listener, pprof included, answers only local,
	// non-browser requests (the fault API guards itself the same way).
	a.admin = localhttp.Guard(admin)
	return a, nil
}

// storefrontService is the service the storefront's business logic serves.
const storefrontService = "shop"

// genericHandler answers an endpoint of a service the demo has no business
// logic for: 201 for POST, 200 otherwise, with a small JSON body.
func genericHandler(ep instrument.Endpoint) http.Handler {
	code := http.StatusOK
	if ep.Method == http.MethodPost {
		code = http.StatusCreated
	}
	body, _ := json.Marshal(map[string]string{"endpoint": ep.Name})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(body)
	})
}

// serve runs the public and admin servers on the given listeners until ctx
// ends, then shuts both down gracefully.
func (a *app) serve(ctx context.Context, public, admin net.Listener, log *slog.Logger) error {
	newServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			// Injected latency may reach fault.MaxLatency.
			WriteTimeout: fault.MaxLatency + 30*time.Second,
			IdleTimeout:  time.Minute,
			ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
	}
	pub, adm := newServer(a.public), newServer(a.admin)
	errc := make(chan error, 2)
	go func() { errc <- pub.Serve(public) }()
	go func() { errc <- adm.Serve(admin) }()
	a.ready.Store(true)
	log.Info("serving", "service", a.svc.Name, "endpoints", len(a.svc.Endpoints),
		"listen", public.Addr().String(), "admin", admin.Addr().String())

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	a.ready.Store(false)
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if serr := pub.Shutdown(sctx); serr != nil && err == nil {
		err = serr
	}
	if serr := adm.Shutdown(sctx); serr != nil && err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sel := addServiceFlags(fs, "service of the spec to serve")
	listen := fs.String("listen", "", "public address (default 127.0.0.1:<service port>)")
	adminListen := fs.String("admin-listen", "", "fault API address, loopback only (default 127.0.0.1:<service adminPort>)")
	profile := fs.Bool("profile", false, "serve net/http/pprof on the admin listener")
	latencyScale := fs.Float64("latency-scale", 1, "multiply simulated latency (0 turns it off)")
	noErrors := fs.Bool("no-errors", false, "turn the spec's simulated errors off (faults still apply)")
	logJSON := fs.Bool("log-json", false, "log JSON instead of text")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: demoapp serve [flags]\n\nServe a service of the spec with its simulated behaviour, /metrics, /healthz and /readyz.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseOnlyFlags(fs, args, stderr); !ok {
		return code
	}
	var log *slog.Logger
	if *logJSON {
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	} else {
		log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	svc, err := sel.lookup()
	if err != nil {
		fmt.Fprintf(stderr, "demoapp serve: %v\n", err)
		return exitUsage
	}
	if *listen == "" {
		*listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(svc.Port))
	}
	if *adminListen == "" {
		*adminListen = net.JoinHostPort("127.0.0.1", strconv.Itoa(svc.AdminPort))
	}
	if err := fault.CheckLoopback(*adminListen); err != nil {
		fmt.Fprintf(stderr, "demoapp serve: %v\n", err)
		return exitUsage
	}
	if !(*latencyScale >= 0) {
		fmt.Fprintf(stderr, "demoapp serve: --latency-scale must not be negative\n")
		return exitUsage
	}
	a, err := newApp(svc, appOptions{Sim: sim.Options{LatencyScale: *latencyScale, NoErrors: *noErrors}, Profile: *profile}, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFailure
	}
	public, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Error("cannot listen", "addr", *listen, "err", err)
		return exitFailure
	}
	admin, err := net.Listen("tcp", *adminListen)
	if err != nil {
		public.Close()
		log.Error("cannot listen", "addr", *adminListen, "err", err)
		return exitFailure
	}
	if err := a.serve(ctx, public, admin, log); err != nil {
		log.Error("server failed", "err", err)
		return exitFailure
	}
	log.Info("stopped")
	return exitOK
}
