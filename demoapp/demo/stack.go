// Package demo runs the whole stack natively, without Docker: it compiles
// the spec with the demo profile onto free loopback ports, and starts the
// pinned Prometheus and Alertmanager servers, the demo app, its traffic
// generator and the alert inbox with the generated configs. `make demo`
// (cmd/demo) and the end-to-end test (demoapp/e2e) share it.
//
// Ports are chosen before the configs are generated: the runner rewrites
// the model's ports, scrape targets and inbox webhook URLs and then runs
// the real emitters, which are pure functions of the model.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/compose"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/pyregistry"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/demoapp/inbox"
	"github.com/stackc/stackc/tools"
)

// Options configure Start.
type Options struct {
	// Spec is the spec file; the repository's stack.jsonnet if empty.
	Spec string
	// Dir is the working directory (generated configs, server data and
	// logs); a temporary one, removed by Close, if empty.
	Dir string
	// RPS is the traffic generator's request rate per service (default 20).
	RPS float64
	// Quiet turns the demo app's simulated errors and latency off, so that
	// only injected faults move the SLIs (the end-to-end test uses it).
	Quiet bool
	// Status receives one line per step; nil discards them.
	Status io.Writer
	// Alerts receives the inbox's line for every alert; nil discards them.
	Alerts io.Writer
	// OnAlert is called with every alert the inbox receives.
	OnAlert func(inbox.Entry)
}

// Service is a running demo app.
type Service struct {
	Name string
	// URL serves the endpoints and /metrics; Admin is the fault API.
	URL, Admin string
}

// Stack is the running stack.
type Stack struct {
	// Model is the compiled model, with the ports the servers listen on.
	Model *model.Stack
	// Dir holds out/ (the generated configs), data/ and logs/.
	Dir string
	// Base URLs of the servers: the (first) Prometheus and Alertmanager.
	Prometheus, Alertmanager, Inbox string
	Services                        []Service
	// Servers of an HA stack (one each otherwise), by name, in order:
	// every Prometheus replica and every Alertmanager peer.
	PrometheusReplicas, AlertmanagerPeers []Server
	// ThanosQuery is Thanos Query's base URL, when the stack runs Thanos.
	ThanosQuery string
	// Received holds the alerts the inbox received.
	Received *inbox.Inbox

	opts       Options
	removeDir  bool
	procs      []*process // in start order
	cancel     context.CancelFunc
	inboxDone  chan error
	inboxLog   string
	stopOnce   sync.Once
	binaries   map[string]string
	dead       []string // servers killed by Kill
	statusLock sync.Mutex
}

// Server is one Prometheus or Alertmanager of the stack.
type Server struct {
	// Name is its process name (its log is logs/<name>.log).
	Name string
	URL  string
}

// DefaultRPS is the traffic generator's default rate: at the spec's
// endpoint weights it keeps every SLO above its minimum event rate.
const DefaultRPS = 20

// loadDuration bounds the traffic generator; the stack is stopped long before.
const loadDuration = 24 * time.Hour

// Start builds and starts the stack. The servers run until ctx is
// cancelled or Close is called. Close must be called whenever the returned
// stack is not nil, also with an error: the logs stay readable until then.
//
// The ports are chosen free but only bound later by the servers, so
// another process may take one meanwhile; a server that fails with
// "address already in use" makes Start try again, on new ports, up to
// startAttempts times.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	return retryPorts(startAttempts, func() (*Stack, error) { return start(ctx, opts) })
}

// startAttempts bounds Start's retries after a lost port race.
const startAttempts = 3

// errAddrInUse marks a server that could not bind its port.
var errAddrInUse = errors.New("address already in use")

// retryPorts calls try until it succeeds, fails for another reason than a
// port in use, or has been called attempts times. A failed stack is closed
// and its server data removed before the next try.
func retryPorts(attempts int, try func() (*Stack, error)) (*Stack, error) {
	for i := 1; ; i++ {
		s, err := try()
		if err == nil || i >= attempts || !errors.Is(err, errAddrInUse) || s == nil {
			return s, err
		}
		s.status("%v; retrying on new ports (attempt %d of %d)", err, i+1, attempts)
		s.Close()
		if !s.removeDir {
			// The caller's directory: fresh server data, logs kept.
			if err := os.RemoveAll(filepath.Join(s.Dir, "data")); err != nil {
				return nil, err
			}
		}
	}
}

func start(ctx context.Context, opts Options) (s *Stack, err error) {
	if opts.Status == nil {
		opts.Status = io.Discard
	}
	if opts.Alerts == nil {
		opts.Alerts = io.Discard
	}
	if opts.RPS == 0 {
		opts.RPS = DefaultRPS
	}
	root, err := tools.RepoRoot()
	if err != nil {
		return nil, err
	}
	if opts.Spec == "" {
		opts.Spec = filepath.Join(root, "stack.jsonnet")
	}
	s = &Stack{opts: opts, binaries: map[string]string{}}
	if opts.Dir == "" {
		if s.Dir, err = os.MkdirTemp("", "stackc-demo-"); err != nil {
			return nil, err
		}
		s.removeDir = true
	} else {
		s.Dir = opts.Dir
	}
	ctx, s.cancel = context.WithCancel(ctx)
	defer func() {
		if err != nil {
			// The directory stays until Close, so the logs can be read.
			s.stop()
		}
	}()
	for _, d := range []string{"logs", "data", "bin"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return s, err
		}
	}

	s.status("compiling %s with the demo profile", opts.Spec)
	compileStart := time.Now()
	res, err := spec.LoadFile(opts.Spec, spec.Options{Profile: "demo"})
	if err != nil {
		return s, err
	}
	native, skipped, err := NativeServices(res.Stack)
	if err != nil {
		return s, err
	}
	for _, sk := range skipped {
		s.status("not running %s", sk)
	}
	inboxLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return s, err
	}
	if s.Model, err = Localize(native, inboxLn.Addr().(*net.TCPAddr).Port); err != nil {
		inboxLn.Close()
		return s, err
	}
	// Only what the servers and services read: the incident simulation
	// and the review take most of a whole build.
	set, err := build.CompileTargets(s.Model, nativeTargets...)
	if err != nil {
		inboxLn.Close()
		return s, err
	}

	if err := writeSet(filepath.Join(s.Dir, "out"), set); err != nil {
		inboxLn.Close()
		return s, err
	}
	s.status("compiled %d files in %.1fs", len(set), time.Since(compileStart).Seconds())
	if r := Redirected(res.Stack); len(r) > 0 {
		s.status("receivers %s would notify outside this machine; the demo posts their alerts to the inbox at /<receiver> instead", strings.Join(r, ", "))
	}

	s.status("building the servers (cached after the first run)")
	servers := []string{"prometheus", "alertmanager"}
	if slo.ThanosEnabled(s.Model) {
		servers = append(servers, "thanos")
	}
	for _, name := range servers {
		if s.binaries[name], err = tools.Path(name); err != nil {
			inboxLn.Close()
			return s, err
		}
	}
	s.binaries["demoapp"] = filepath.Join(s.Dir, "bin", "demoapp")
	gobuild := exec.CommandContext(ctx, "go", "build", "-o", s.binaries["demoapp"], "./demoapp")
	gobuild.Dir = root
	if out, err := gobuild.CombinedOutput(); err != nil {
		inboxLn.Close()
		return s, fmt.Errorf("go build ./demoapp: %w\n%s", err, out)
	}

	n := s.Model.Network
	s.Inbox = "http://" + inboxLn.Addr().String()
	s.Prometheus = fmt.Sprintf("http://127.0.0.1:%d", n.PrometheusPort)
	s.Alertmanager = fmt.Sprintf("http://127.0.0.1:%d", n.AlertmanagerPort)
	for _, r := range slo.PrometheusServers(s.Model) {
		s.PrometheusReplicas = append(s.PrometheusReplicas, Server{Name: serverName("prometheus", r.Name), URL: fmt.Sprintf("http://127.0.0.1:%d", r.Port)})
	}
	for _, a := range slo.AlertmanagerServers(s.Model) {
		s.AlertmanagerPeers = append(s.AlertmanagerPeers, Server{Name: serverName("alertmanager", a.Name), URL: fmt.Sprintf("http://127.0.0.1:%d", a.Port)})
	}

	// The inbox runs in this process, so alerts are timed without polling.
	s.inboxLog = filepath.Join(s.Dir, "logs", "inbox.log")
	inboxLogFile, err := os.Create(s.inboxLog)
	if err != nil {
		inboxLn.Close()
		return s, err
	}
	s.Received = inbox.New(inbox.Options{
		Out:     opts.Alerts,
		Logger:  slog.New(slog.NewTextHandler(inboxLogFile, nil)),
		OnAlert: opts.OnAlert,
	})
	s.inboxDone = make(chan error, 1)
	go func() {
		s.inboxDone <- inbox.Serve(ctx, inboxLn, s.Received)
		inboxLogFile.Close()
	}()
	s.status("alert inbox on %s", s.Inbox)

	for i := range s.AlertmanagerPeers {
		if err := s.startAlertmanager(ctx, i); err != nil {
			return s, err
		}
	}
	for _, svc := range s.Model.Services {
		sv := Service{
			Name:  svc.Name,
			URL:   fmt.Sprintf("http://127.0.0.1:%d", svc.Port),
			Admin: fmt.Sprintf("http://127.0.0.1:%d", svc.AdminPort),
		}
		listen := []string{"--listen", fmt.Sprintf("127.0.0.1:%d", svc.Port),
			"--admin-listen", fmt.Sprintf("127.0.0.1:%d", svc.AdminPort)}
		if opts.Quiet {
			listen = append(listen, "--no-errors", "--latency-scale", "0")
		}
		bin, args := s.binaries["demoapp"], []string{}
		if svc.Language == model.Python {
			// The Flask demo service with the spec's generated Python registry.
			py, err := Python()
			if err != nil {
				return s, err
			}
			bin = py
			args = []string{filepath.Join(root, "demoapp", "flaskapp", "app.py"),
				"--registry", filepath.Join(s.Dir, "out", pyregistry.Dir, pyregistry.ModuleName(svc.Name)+".py")}
		} else {
			// --stack: the demo app serves the spec being demonstrated,
			// whatever spec the binary's built-in registry comes from.
			args = []string{"serve", "--service", svc.Name, "--stack", s.StackJSON()}
		}
		if err := s.run(ctx, svc.Name, bin, append(args, listen...), sv.URL+"/readyz"); err != nil {
			return s, err
		}
		s.Services = append(s.Services, sv)
	}
	for i := range s.PrometheusReplicas {
		if err := s.startPrometheus(ctx, i); err != nil {
			return s, err
		}
	}
	if slo.ThanosEnabled(s.Model) {
		if err := s.startThanos(ctx); err != nil {
			return s, err
		}
	}
	for _, sv := range s.Services {
		args := []string{"load", "--service", sv.Name, "--stack", s.StackJSON(), "--target", sv.URL,
			"--rps", strconv.FormatFloat(opts.RPS, 'g', -1, 64), "--duration", loadDuration.String()}
		if err := s.run(ctx, sv.Name+"-load", s.binaries["demoapp"], args, ""); err != nil {
			return s, err
		}
	}
	return s, nil
}

// NativeServices returns a copy of st without the services the demo
// cannot run, and why each was left out. The demo apps export the
// generated registry (Go) or the generated Python module (Flask); a
// service instrumented by an exporter preset (prometheus-flask-exporter,
// OpenTelemetry, Micrometer) exports that exporter's series, which no
// demo app produces. Run as a demo app, its SLOs would have no data and
// its metrics-absent alert would fire, so it is left out of the stack
// (scrape config, rules and all) rather than shown broken.
func NativeServices(st *model.Stack) (*model.Stack, []string, error) {
	c, err := st.Clone()
	if err != nil {
		return nil, nil, err
	}
	var skipped []string
	c.Services = slices.DeleteFunc(c.Services, func(svc model.Service) bool {
		in := slo.InstrumentationOf(svc)
		if in.Preset == slo.Registry {
			return false
		}
		skipped = append(skipped, fmt.Sprintf("service %s: it is instrumented by %s, whose metrics (%s) no demo app exports; "+
			"the demo leaves it, its rules and its SLOs out (build the spec and scrape the real app to see them)", svc.Name, in.Preset, in.Duration))
		return true
	})
	if len(c.Services) == 0 {
		return nil, skipped, fmt.Errorf("every service of the spec is instrumented by an exporter preset; the demo runs only services instrumented by stackc's registry (Go or Python)")
	}
	return c, skipped, nil
}

// nativeTargets are the targets whose files the native stack reads: the
// model for the demo app's --stack, the Flask services' registries, and
// the Prometheus and Alertmanager configs and rules.
var nativeTargets = []string{"stack", "python", "prometheus", "alertmanager"}

// Python returns the interpreter of the Flask demo service, $STACKC_PYTHON
// or /usr/bin/python3 (where Debian's python3-flask and
// python3-prometheus-client install), after checking it has both.
func Python() (string, error) {
	py := os.Getenv("STACKC_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if out, err := exec.Command(py, "-c", "import flask, prometheus_client").CombinedOutput(); err != nil {
		return "", fmt.Errorf("the spec has a Python service, but %s cannot import flask and prometheus_client (%v: %s); "+
			"install them (Debian: apt-get install -y python3-flask python3-prometheus-client; make demo does it) "+
			"or set STACKC_PYTHON to a Python 3.11+ with Flask 2.2+ and prometheus_client 0.16+", py, err, strings.TrimSpace(string(out)))
	}
	return py, nil
}

// StackJSON is the compiled model of the demonstrated spec, which the demo
// app's --stack flag reads.
func (s *Stack) StackJSON() string { return filepath.Join(s.Dir, "out", "stack.json") }

// serverName is the process name of a Prometheus or Alertmanager: its HA
// name, or kind for the single server.
func serverName(kind, haName string) string {
	if haName == "" {
		return kind
	}
	return haName
}

// startPrometheus starts the i-th Prometheus with its generated config.
func (s *Stack) startPrometheus(ctx context.Context, i int) error {
	r := slo.PrometheusServers(s.Model)[i]
	srv := s.PrometheusReplicas[i]
	data := filepath.Join(s.Dir, "data", srv.Name)
	args := []string{
		"--config.file=" + filepath.Join(s.Dir, "out", filepath.FromSlash(slo.PrometheusConfigPathOf(r.Name))),
		"--storage.tsdb.path=" + data,
		// The demo runs minutes, but the same retention as Compose keeps
		// the two servers' behaviour alike.
		"--storage.tsdb.retention.time=" + model.Duration(compose.Retention(s.Model)).String(),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", r.Port),
		"--rules.alert.resend-delay=" + compose.ResendDelay(s.Model).String(),
	}
	return s.run(ctx, srv.Name, s.binaries["prometheus"], args, srv.URL+"/-/ready")
}

// startAlertmanager starts the i-th Alertmanager, keeping its data
// directory across restarts. The peers of an HA stack gossip on loopback.
func (s *Stack) startAlertmanager(ctx context.Context, i int) error {
	peers := slo.AlertmanagerServers(s.Model)
	am := peers[i]
	srv := s.AlertmanagerPeers[i]
	args := []string{
		"--config.file=" + filepath.Join(s.Dir, "out", "alertmanager", "alertmanager.yml"),
		"--storage.path=" + filepath.Join(s.Dir, "data", srv.Name),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", am.Port),
		// Its notifications carry it: the inbox tells the peers apart.
		"--web.external-url=" + srv.URL + "/",
	}
	if s.Model.HA == nil {
		// A single Alertmanager: no gossip listener on 0.0.0.0:9094.
		args = append(args, "--cluster.listen-address=")
	} else {
		args = append(args, fmt.Sprintf("--cluster.listen-address=127.0.0.1:%d", am.ClusterPort),
			"--cluster.peer-timeout="+ClusterPeerTimeout.String())
		for j, other := range peers {
			if j != i {
				args = append(args, fmt.Sprintf("--cluster.peer=127.0.0.1:%d", other.ClusterPort))
			}
		}
	}
	args = append(args, "--dispatch.start-delay="+compose.StartDelay(s.Model).String())
	return s.run(ctx, srv.Name, s.binaries["alertmanager"], args, srv.URL+"/-/ready")
}

// ClusterPeerTimeout is the peers' wait for each other (slo.ClusterPeerTimeout).
const ClusterPeerTimeout = slo.ClusterPeerTimeout

// startThanos starts a Thanos sidecar beside every Prometheus replica and
// Thanos Query over the sidecars, deduplicating on the replica label.
func (s *Stack) startThanos(ctx context.Context) error {
	h := s.Model.HA
	query := []string{"query",
		fmt.Sprintf("--http-address=127.0.0.1:%d", h.ThanosQuery.Port),
		fmt.Sprintf("--grpc-address=127.0.0.1:%d", h.ThanosQuery.GRPCPort),
		"--query.replica-label=" + slo.ReplicaLabel,
	}
	for i, r := range h.Prometheus {
		args := []string{"sidecar",
			"--prometheus.url=" + s.PrometheusReplicas[i].URL,
			"--tsdb.path=" + filepath.Join(s.Dir, "data", s.PrometheusReplicas[i].Name),
			fmt.Sprintf("--grpc-address=127.0.0.1:%d", r.SidecarGRPCPort),
			fmt.Sprintf("--http-address=127.0.0.1:%d", r.SidecarHTTPPort),
		}
		if err := s.run(ctx, slo.ThanosSidecarName(r.Name), s.binaries["thanos"], args, fmt.Sprintf("http://127.0.0.1:%d/-/ready", r.SidecarHTTPPort)); err != nil {
			return err
		}
		query = append(query, fmt.Sprintf("--endpoint=127.0.0.1:%d", r.SidecarGRPCPort))
	}
	s.ThanosQuery = fmt.Sprintf("http://127.0.0.1:%d", h.ThanosQuery.Port)
	return s.run(ctx, slo.ThanosQueryName, s.binaries["thanos"], query, s.ThanosQuery+"/-/ready")
}

// RestartAlertmanager stops the (first) Alertmanager and starts it again on
// the same port and data directory.
func (s *Stack) RestartAlertmanager(ctx context.Context) error {
	s.stopProcess(s.AlertmanagerPeers[0].Name, false)
	return s.startAlertmanager(ctx, 0)
}

// Kill kills the named server (a Prometheus replica or Alertmanager peer,
// as named in PrometheusReplicas and AlertmanagerPeers) with SIGKILL, as a
// crash would: it gets no chance to shut down cleanly. Prometheus and
// Alertmanager point at the first of the others still running.
func (s *Stack) Kill(name string) error {
	if !s.stopProcess(name, true) {
		return fmt.Errorf("no running server %q", name)
	}
	s.dead = append(s.dead, name)
	s.Prometheus = s.firstLive(s.PrometheusReplicas, s.Prometheus)
	s.Alertmanager = s.firstLive(s.AlertmanagerPeers, s.Alertmanager)
	return nil
}

func (s *Stack) firstLive(servers []Server, current string) string {
	for _, srv := range servers {
		if !slices.Contains(s.dead, srv.Name) {
			return srv.URL
		}
	}
	return current
}

// stopProcess stops the named process (kill: at once, with SIGKILL) and
// forgets it; false if there is none.
func (s *Stack) stopProcess(name string, kill bool) bool {
	for i, p := range s.procs {
		if p.name == name {
			if kill {
				p.kill()
			} else {
				p.stop()
			}
			s.procs = append(s.procs[:i], s.procs[i+1:]...)
			return true
		}
	}
	return false
}

// run starts a server and, if ready is set, waits until it answers 200 there.
func (s *Stack) run(ctx context.Context, name, bin string, args []string, ready string) error {
	p := &process{name: name, path: bin, args: args, dir: s.Dir, log: filepath.Join(s.Dir, "logs", name+".log")}
	if err := p.start(ctx); err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	if ready == "" {
		s.status("%s started", name)
		return nil
	}
	start := time.Now()
	done, exitErr := p.exited()
	if err := waitHTTP(ctx, ready, 60*time.Second, done); err != nil {
		select {
		case <-done:
			log := tail(p.log, 4<<10)
			if strings.Contains(log, errAddrInUse.Error()) {
				return fmt.Errorf("%s exited (%v) before it was ready: %w; its log:\n%s", name, exitErr(), errAddrInUse, log)
			}
			return fmt.Errorf("%s exited (%v) before it was ready; its log:\n%s", name, exitErr(), log)
		default:
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	s.status("%s ready on %s (%.1fs)", name, strings.TrimSuffix(ready, "/-/ready"), time.Since(start).Seconds())
	return nil
}

// waitHTTP polls url until it answers 200, the timeout passes, or exited closes.
func waitHTTP(ctx context.Context, url string, timeout time.Duration, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w", url, ctx.Err())
		case <-exited:
			return errors.New("exited")
		case <-tick.C:
		}
	}
}

// InjectFault sets a fault on a service's endpoint.
func (s *Stack) InjectFault(ctx context.Context, service, endpoint string, req fault.Request) error {
	sv, err := s.service(service)
	if err != nil {
		return err
	}
	_, err = fault.Client{Base: sv.Admin}.Set(ctx, endpoint, req)
	return err
}

// ClearFault clears a service's endpoint's fault.
func (s *Stack) ClearFault(ctx context.Context, service, endpoint string) error {
	sv, err := s.service(service)
	if err != nil {
		return err
	}
	return fault.Client{Base: sv.Admin}.Clear(ctx, endpoint)
}

func (s *Stack) service(name string) (Service, error) {
	for _, sv := range s.Services {
		if sv.Name == name {
			return sv, nil
		}
	}
	return Service{}, fmt.Errorf("no running service %q", name)
}

// Logs returns the end of every server's log, for failure reports.
func (s *Stack) Logs() string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(s.Dir, "logs", "*.log"))
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintf(&b, "==== %s ====\n%s\n", filepath.Base(f), tail(f, 16<<10))
	}
	return b.String()
}

// Close stops every server, newest first, and removes the temporary
// directory. It is safe to call more than once.
func (s *Stack) Close() {
	s.stop()
	if s.removeDir {
		os.RemoveAll(s.Dir)
	}
}

// stop stops every server, newest first, and the inbox.
func (s *Stack) stop() {
	s.stopOnce.Do(func() {
		for i := len(s.procs) - 1; i >= 0; i-- {
			s.procs[i].stop()
		}
		if s.cancel != nil {
			s.cancel()
		}
		if s.inboxDone != nil {
			<-s.inboxDone
		}
	})
}

func (s *Stack) status(format string, args ...any) {
	s.statusLock.Lock()
	defer s.statusLock.Unlock()
	fmt.Fprintf(s.opts.Status, "==> "+format+"\n", args...)
}

// Localize returns a copy of st whose servers listen on free loopback
// ports: Prometheus, the Alertmanager, every service's port and admin
// port, and the inbox (inboxPort, already listening). Scrape targets follow
// the services, and webhooks that point at the spec's local inbox follow
// the inbox. Every other receiver (email, Slack, PagerDuty, a webhook to
// another host or whose URL is a secret file) becomes a webhook to the
// inbox at /<receiver name>, sendResolved kept: the demo must not notify
// a real on-call, it cannot read the spec's secret files, and a page
// that leaves the machine could not be shown arriving. Routes and
// receiver names are unchanged, so the inbox still shows which receiver
// the spec sends each alert to.
func Localize(st *model.Stack, inboxPort int) (*model.Stack, error) {
	c, err := st.Clone()
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2 + 2*len(c.Services) + haPorts(c.HA))
	if err != nil {
		return nil, err
	}
	next := func() int {
		p := ports[0]
		ports = ports[1:]
		return p
	}
	n := &c.Network
	n.BindAddress = "127.0.0.1"
	n.PrometheusPort, n.AlertmanagerPort = next(), next()
	n.InboxPort = inboxPort
	for i := range c.Services {
		svc := &c.Services[i]
		svc.Port, svc.AdminPort = next(), next()
		svc.Targets = []string{net.JoinHostPort(n.BindAddress, strconv.Itoa(svc.Port))}
	}
	if h := c.HA; h != nil {
		for i := range h.Prometheus {
			r := &h.Prometheus[i]
			r.Port = n.PrometheusPort
			if i > 0 {
				r.Port = next()
			}
			if h.Thanos {
				r.SidecarGRPCPort, r.SidecarHTTPPort = next(), next()
			}
		}
		for i := range h.Alertmanagers {
			a := &h.Alertmanagers[i]
			a.Port = n.AlertmanagerPort
			if i > 0 {
				a.Port = next()
			}
			a.ClusterPort = next()
		}
		if h.Thanos {
			h.ThanosQuery.Port, h.ThanosQuery.GRPCPort = next(), next()
		}
	}
	inbox := "http://" + net.JoinHostPort(n.BindAddress, strconv.Itoa(inboxPort))
	for i, r := range st.Alerting.Receivers {
		u, local, err := localInbox(st, r)
		if err != nil {
			return nil, err
		}
		if local {
			u.Host = net.JoinHostPort(n.BindAddress, strconv.Itoa(inboxPort))
			c.Alerting.Receivers[i].URL = u.String()
			continue
		}
		c.Alerting.Receivers[i] = model.Receiver{
			Name: r.Name, Type: model.Webhook,
			URL:          inbox + "/" + url.PathEscape(r.Name),
			SendResolved: r.SendResolved,
		}
	}
	return c, nil
}

// localInbox reports whether r is a webhook to the spec's inbox on this
// machine, and returns its URL if so.
func localInbox(st *model.Stack, r model.Receiver) (*url.URL, bool, error) {
	if r.Type != model.Webhook || r.URL == "" {
		return nil, false, nil
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, false, fmt.Errorf("receiver %s: %w", r.Name, err)
	}
	return u, compose.IsLocalInbox(st, u), nil
}

// Redirected returns the receivers of st that Localize sends to the inbox
// instead of where the spec delivers them, as "name (type)".
func Redirected(st *model.Stack) []string {
	var out []string
	for _, r := range st.Alerting.Receivers {
		if _, local, err := localInbox(st, r); err == nil && !local {
			kind := string(r.Type)
			if r.Type == model.Webhook && r.URL != "" {
				kind += " to " + r.URL
			}
			out = append(out, fmt.Sprintf("%s (%s)", r.Name, kind))
		}
	}
	return out
}

// haPorts is how many ports an HA stack needs beyond the single servers'.
func haPorts(h *model.HA) int {
	if h == nil {
		return 0
	}
	n := len(h.Prometheus) - 1 + 2*len(h.Alertmanagers) - 1
	if h.Thanos {
		n += 2*len(h.Prometheus) + 2
	}
	return n
}

// freePorts returns n distinct loopback ports that were free a moment ago.
// The listeners stay open until all are chosen, so no port repeats.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeSet writes a compiled output set below dir.
func writeSet(dir string, set map[string][]byte) error {
	for p, data := range set {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
