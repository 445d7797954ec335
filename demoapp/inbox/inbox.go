// Package inbox is the demo stack's alert inbox: an HTTP server that
// receives Alertmanager webhook notifications, prints every alert as one
// readable line, keeps the most recent ones in memory and shows them at /
// (HTML) and /api/alerts (JSON).
//
// Every POST path is a webhook endpoint, so each receiver of the spec can
// point at its own path (/alerts, /tickets, ...) and the inbox records which
// path, i.e. which receiver, an alert came through. A payload that is not a
// valid notification, or is larger than the limit, is answered with 400 and
// logged; it never stops the inbox.
package inbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/alertmanager/notify/webhook"

	"github.com/stackc/stackc/demoapp/localhttp"

	"github.com/stackc/stackc/compiler/slo"
)

// Defaults of the inbox's options.
const (
	// DefaultKeep is how many alerts the inbox remembers.
	DefaultKeep = 200
	// DefaultMaxBytes bounds a notification's body. Alertmanager sends one
	// group per request; a group of a few hundred alerts stays far below it.
	DefaultMaxBytes = 1 << 20
	// protocolVersion is the webhook protocol version Alertmanager sends.
	protocolVersion = "4"
)

// Entry is one alert of a received notification.
type Entry struct {
	// Seq numbers every alert the inbox received, from 1, including those
	// it no longer keeps.
	Seq int `json:"seq"`
	// Received is when the notification arrived.
	Received time.Time `json:"received"`
	// Path is the URL path the notification was posted to: which receiver
	// of the spec it came through.
	Path string `json:"path"`
	// Receiver is the receiver name Alertmanager reports.
	Receiver     string            `json:"receiver"`
	GroupKey     string            `json:"groupKey"`
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	// ExternalURL is the external URL of the Alertmanager that sent the
	// notification: which peer of a cluster notified.
	ExternalURL string `json:"externalURL"`
}

// Name is the alert's name.
func (e Entry) Name() string { return e.Labels["alertname"] }

// Line formats the entry as one line: status, name, the labels that say what
// is broken, where it was delivered, the summary and its age.
func (e Entry) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %s", strings.ToUpper(safe(e.Status)), safe(e.Name()))
	for _, l := range []string{slo.LabelSeverity, slo.LabelService, slo.LabelSLO, slo.LabelTier} {
		if v, ok := e.Labels[l]; ok {
			fmt.Fprintf(&b, " %s=%s", l, safe(v))
		}
	}
	fmt.Fprintf(&b, " via %s (%s)", safe(e.Path), safe(e.Receiver))
	if s := e.Annotations["summary"]; s != "" {
		fmt.Fprintf(&b, " %q", s)
	}
	if age := e.Age(); age != "" {
		b.WriteString(" " + age)
	}
	return b.String()
}

// safe returns s as it is when it prints as itself on a terminal, and
// quoted with escapes otherwise: a label value from a notification must
// not start a new console line (forging an alert line) or carry terminal
// escape sequences. Spaces and other printable text stay as they are;
// a value with a quote is quoted so it cannot imitate the quoted summary.
func safe(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r == '"' || !unicode.IsGraphic(r) }) < 0 && utf8.ValidString(s) {
		return s
	}
	return strconv.QuoteToGraphic(s)
}

// Age says how long the alert had been firing when it was received, or how
// long it lasted once resolved.
func (e Entry) Age() string {
	if e.StartsAt.IsZero() {
		return ""
	}
	if e.Status == "resolved" && !e.EndsAt.IsZero() {
		return "resolved after " + roundDuration(e.EndsAt.Sub(e.StartsAt))
	}
	return "started " + roundDuration(e.Received.Sub(e.StartsAt)) + " ago"
}

func roundDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// Options configure an Inbox.
type Options struct {
	// Keep is how many alerts to remember (DefaultKeep if 0).
	Keep int
	// MaxBytes bounds a notification's body (DefaultMaxBytes if 0).
	MaxBytes int64
	// Out receives one line per alert; nil discards them.
	Out io.Writer
	// Logger logs rejected payloads; nil discards them.
	Logger *slog.Logger
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// OnAlert, if set, is called with every received alert, in order,
	// before the webhook request is answered.
	OnAlert func(Entry)
	// Hosts are host names, beyond the loopback ones, that requests may
	// name in their Host header: the inbox's Compose service name, which
	// Alertmanager posts to. Every other Host is refused (403), so a web
	// page cannot reach the inbox through a rebound DNS name.
	Hosts []string
}

// Inbox receives notifications and remembers the latest alerts. It is an
// http.Handler and safe for concurrent use.
type Inbox struct {
	opts    Options
	guarded http.Handler

	mu      sync.Mutex
	entries []Entry // oldest first, at most opts.Keep
	seq     int
}

// New returns an empty inbox.
func New(opts Options) *Inbox {
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	in := &Inbox{opts: opts}
	in.guarded = localhttp.Guard(http.HandlerFunc(in.serve), opts.Hosts...)
	return in
}

// Alerts returns the remembered alerts, oldest first.
func (in *Inbox) Alerts() []Entry {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Entry(nil), in.entries...)
}

// Total is the number of alerts received since the start, including those
// no longer remembered.
func (in *Inbox) Total() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.seq
}

// ServeHTTP answers GET / and /api/alerts and takes notifications as POSTs
// to any path. Like the demo app's fault API it answers only requests that
// name this machine (or Options.Hosts) in their Host header, and takes
// only application/json notifications (Alertmanager's webhook sends
// that; a web page's cross-origin form cannot), so no page a browser
// visits can post fake alerts or read the received ones.
func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in.guarded.ServeHTTP(w, r)
}

func (in *Inbox) serve(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		in.receive(w, r)
	case http.MethodGet, http.MethodHead:
		switch r.URL.Path {
		case "/":
			in.page(w)
		case "/api/alerts":
			in.api(w)
		case "/healthz":
			io.WriteString(w, "ok\n")
		default:
			http.NotFound(w, r)
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (in *Inbox) receive(w http.ResponseWriter, r *http.Request) {
	msg, err := decode(http.MaxBytesReader(w, r.Body, in.opts.MaxBytes))
	if err != nil {
		in.opts.Logger.Warn("rejected notification", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
		http.Error(w, "bad notification: "+err.Error(), http.StatusBadRequest)
		return
	}
	now := in.opts.Now()
	in.mu.Lock()
	received := make([]Entry, 0, len(msg.Alerts))
	for _, a := range msg.Alerts {
		in.seq++
		e := Entry{
			Seq:          in.seq,
			Received:     now,
			Path:         r.URL.Path,
			Receiver:     msg.Receiver,
			GroupKey:     msg.GroupKey,
			Status:       a.Status,
			Labels:       nonNil(a.Labels),
			Annotations:  nonNil(a.Annotations),
			StartsAt:     a.StartsAt,
			EndsAt:       a.EndsAt,
			GeneratorURL: a.GeneratorURL,
			Fingerprint:  a.Fingerprint,
			ExternalURL:  msg.ExternalURL,
		}
		received = append(received, e)
		in.entries = append(in.entries, e)
	}
	if over := len(in.entries) - in.opts.Keep; over > 0 {
		in.entries = append(in.entries[:0:0], in.entries[over:]...)
	}
	// Printing and callbacks happen under the lock so that lines appear in
	// arrival order even when Alertmanager posts groups concurrently.
	for _, e := range received {
		fmt.Fprintln(in.opts.Out, e.Line())
		if in.opts.OnAlert != nil {
			in.opts.OnAlert(e)
		}
	}
	in.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// decode reads one webhook message and checks the fields the inbox relies on.
func decode(body io.Reader) (*webhook.Message, error) {
	dec := json.NewDecoder(body)
	var msg webhook.Message
	if err := dec.Decode(&msg); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("body larger than %d bytes", tooBig.Limit)
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("body larger than %d bytes", tooBig.Limit)
		}
		return nil, errors.New("trailing data after the JSON object")
	}
	if msg.Version != protocolVersion {
		return nil, fmt.Errorf("webhook protocol version %q, want %q", msg.Version, protocolVersion)
	}
	// Data is an embedded pointer: a body without any of its fields leaves it nil.
	if msg.Data == nil || len(msg.Alerts) == 0 {
		return nil, errors.New("no alerts in the notification")
	}
	if !validStatus(msg.Status) {
		return nil, fmt.Errorf("notification status %q is neither firing nor resolved", msg.Status)
	}
	for i, a := range msg.Alerts {
		if !validStatus(a.Status) {
			return nil, fmt.Errorf("alerts[%d]: status %q is neither firing nor resolved", i, a.Status)
		}
		if a.Labels["alertname"] == "" {
			return nil, fmt.Errorf("alerts[%d]: no alertname label", i)
		}
	}
	return &msg, nil
}

func validStatus(s string) bool { return s == "firing" || s == "resolved" }

func nonNil(kv map[string]string) map[string]string {
	if kv == nil {
		return map[string]string{}
	}
	return kv
}

// apiResponse is the body of GET /api/alerts.
type apiResponse struct {
	// Total counts every alert received, Alerts holds the latest, oldest first.
	Total  int     `json:"total"`
	Alerts []Entry `json:"alerts"`
}

func (in *Inbox) api(w http.ResponseWriter) {
	in.mu.Lock()
	resp := apiResponse{Total: in.seq, Alerts: append([]Entry{}, in.entries...)}
	in.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(resp)
}

// sortedLabels lists an entry's labels as key=value, alertname excluded.
func sortedLabels(kv map[string]string) []string {
	out := make([]string, 0, len(kv))
	for k, v := range kv {
		if k != "alertname" {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}
