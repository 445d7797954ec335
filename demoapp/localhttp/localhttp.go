// Package localhttp guards the demo's local-only HTTP surfaces — the fault
// API, pprof and the alert inbox — against requests a web browser on the
// same machine can be made to send. Binding to loopback is not enough:
// any web page can send a simple cross-origin POST (a form, or fetch with
// text/plain; no preflight), and a DNS-rebound name reaches 127.0.0.1
// carrying its own Host header.
package localhttp

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
)

// Guard serves next only for requests whose Host header names this
// machine by a loopback name (127.0.0.1, [::1], localhost) or one of
// hosts (such as a Compose service name the peers use), with or without a
// port: others get 403. A POST must declare Content-Type
// application/json, which a cross-origin page cannot send without a
// preflight the server never answers: others get 415. (Other methods that
// change state, PUT and DELETE, always need a preflight.)
func Guard(next http.Handler, hosts ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Allowed(r.Host, hosts...) {
			http.Error(w, fmt.Sprintf("host %q is not loopback (127.0.0.1, [::1] or localhost)", r.Host), http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				http.Error(w, fmt.Sprintf("content type %q is not application/json", r.Header.Get("Content-Type")), http.StatusUnsupportedMediaType)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Allowed reports whether a Host header names this machine by one of its
// loopback names, or is one of hosts, with or without a port.
func Allowed(host string, hosts ...string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost") {
		return true
	}
	for _, h := range hosts {
		if h != "" && strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}
