package fault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/stackc/stackc/demoapp/localhttp"
)

// Request is the body of POST /faults/{endpoint}.
type Request struct {
	// ErrorRate is the share of requests to fail with 503, in [0, 1].
	ErrorRate float64 `json:"errorRate"`
	// Latency is added to every response, as a Go duration ("200ms").
	Latency string `json:"latency,omitempty"`
	// For is how long the fault lasts ("10m"); empty means until cleared.
	For string `json:"for,omitempty"`
}

// Status is an active fault as the API reports it.
type Status struct {
	Endpoint  string  `json:"endpoint"`
	ErrorRate float64 `json:"errorRate"`
	Latency   string  `json:"latency"`
	// Expires is when the fault ends (RFC 3339), empty for never.
	Expires string `json:"expires,omitempty"`
}

// List is the body of GET /faults.
type List struct {
	Faults []Status `json:"faults"`
}

// maxBody bounds request bodies; a fault is a few dozen bytes.
const maxBody = 4 << 10

// Handler serves the admin API:
//
//	GET    /faults             the active faults
//	POST   /faults/{endpoint}  inject a fault (body: Request)
//	DELETE /faults/{endpoint}  clear one endpoint's fault
//	DELETE /faults             clear every fault
//
// Binding to loopback is not enough against a browser on the same machine:
// any web page can send a simple cross-origin form POST (no preflight), and
// a DNS-rebound name reaches 127.0.0.1 with its own Host header. So every
// request must name a loopback Host (else 403) and every POST must carry
// Content-Type: application/json (else 415), which a form cannot send.
func Handler(s *Store, log *slog.Logger) http.Handler {
	return localhttp.Guard(routes(s, log))
}

func routes(s *Store, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.list())
	})
	mux.HandleFunc("POST /faults/{endpoint}", func(w http.ResponseWriter, r *http.Request) {
		endpoint := r.PathValue("endpoint")
		f, err := decode(w, r, s.now())
		if err != nil {
			httpError(w, http.StatusBadRequest, err)
			return
		}
		if _, ok := s.index[endpoint]; !ok {
			httpError(w, http.StatusNotFound, fmt.Errorf("unknown endpoint %q (endpoints: %v)", endpoint, s.sortedNames()))
			return
		}
		if err := s.Set(endpoint, f); err != nil {
			httpError(w, http.StatusBadRequest, err)
			return
		}
		log.Info("fault injected", "endpoint", endpoint, "errorRate", f.ErrorRate, "latency", f.Latency, "until", f.Until)
		writeJSON(w, http.StatusOK, status(endpoint, f))
	})
	mux.HandleFunc("DELETE /faults/{endpoint}", func(w http.ResponseWriter, r *http.Request) {
		endpoint := r.PathValue("endpoint")
		if err := s.Clear(endpoint); err != nil {
			httpError(w, http.StatusNotFound, err)
			return
		}
		log.Info("fault cleared", "endpoint", endpoint)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, r *http.Request) {
		_ = s.Clear("")
		log.Info("all faults cleared")
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func decode(w http.ResponseWriter, r *http.Request, now time.Time) (Fault, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	var req Request
	if err := dec.Decode(&req); err != nil {
		return Fault{}, fmt.Errorf("body: %w", err)
	}
	return req.Fault(now)
}

// Fault converts the request into a fault that starts at now.
func (req Request) Fault(now time.Time) (Fault, error) {
	f := Fault{ErrorRate: req.ErrorRate}
	if req.Latency != "" {
		d, err := time.ParseDuration(req.Latency)
		if err != nil {
			return Fault{}, fmt.Errorf("latency: %w", err)
		}
		f.Latency = d
	}
	if req.For != "" {
		d, err := time.ParseDuration(req.For)
		if err != nil {
			return Fault{}, fmt.Errorf("for: %w", err)
		}
		if d <= 0 {
			return Fault{}, fmt.Errorf("for: %s is not a positive duration", req.For)
		}
		f.Until = now.Add(d)
	}
	return f, f.Validate()
}

func (s *Store) list() List {
	l := List{Faults: []Status{}}
	for name, f := range s.Active() {
		l.Faults = append(l.Faults, status(name, f))
	}
	sort.Slice(l.Faults, func(i, j int) bool { return l.Faults[i].Endpoint < l.Faults[j].Endpoint })
	return l
}

func status(endpoint string, f Fault) Status {
	st := Status{Endpoint: endpoint, ErrorRate: f.ErrorRate, Latency: f.Latency.String()}
	if !f.Until.IsZero() {
		st.Expires = f.Until.UTC().Format(time.RFC3339)
	}
	return st
}

type apiError struct {
	Error string `json:"error"`
}

func httpError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, apiError{Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Client calls the admin API of a running demo app.
type Client struct {
	// Base is the admin API's base URL, e.g. http://127.0.0.1:9080.
	Base string
	HTTP *http.Client
}

// Set injects a fault into endpoint.
func (c Client) Set(ctx context.Context, endpoint string, req Request) (Status, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return Status{}, err
	}
	var st Status
	err = c.do(ctx, http.MethodPost, "/faults/"+endpoint, body, http.StatusOK, &st)
	return st, err
}

// Clear clears endpoint's fault, or every fault when endpoint is "".
func (c Client) Clear(ctx context.Context, endpoint string) error {
	path := "/faults"
	if endpoint != "" {
		path += "/" + endpoint
	}
	return c.do(ctx, http.MethodDelete, path, nil, http.StatusNoContent, nil)
}

// List returns the active faults.
func (c Client) List(ctx context.Context) (List, error) {
	var l List
	err := c.do(ctx, http.MethodGet, "/faults", nil, http.StatusOK, &l)
	return l, err
}

func (c Client) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Base, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		var ae apiError
		if json.Unmarshal(data, &ae) == nil && ae.Error != "" {
			return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, ae.Error)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
		}
	}
	return nil
}
