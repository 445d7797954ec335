package instrument

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
)

// responseWriter records the status code a handler answers with. Writers
// are pooled: wrapping the ResponseWriter would otherwise allocate on every
// request. A handler must not use its ResponseWriter after returning, which
// net/http already requires.
type responseWriter struct {
	http.ResponseWriter
	// ctx is the request's context: a status written after the client
	// went away is recorded as StatusClientClosedRequest.
	ctx  context.Context
	code int
}

var writers = sync.Pool{New: func() any { return new(responseWriter) }}

func getWriter(w http.ResponseWriter, ctx context.Context) *responseWriter {
	rw := writers.Get().(*responseWriter)
	rw.ResponseWriter = w
	rw.ctx = ctx
	rw.code = 0
	return rw
}

func putWriter(rw *responseWriter) {
	rw.ResponseWriter = nil
	rw.ctx = nil
	writers.Put(rw)
}

// clientGone reports whether the request's client went away: net/http
// cancels the context when the connection closes (or an HTTP/2 stream is
// reset). A deadline is the server's own timeout, not the client's doing.
func clientGone(ctx context.Context) bool { return errors.Is(ctx.Err(), context.Canceled) }

// record records the first final status code, or StatusClientClosedRequest
// when the client had already gone.
func (w *responseWriter) record(code int) {
	if w.code != 0 {
		return
	}
	if clientGone(w.ctx) {
		code = StatusClientClosedRequest
	}
	w.code = code
}

// WriteHeader records the first final status code. Informational 1xx
// responses (103 Early Hints) precede the final one and are not recorded;
// 101 Switching Protocols is final.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.record(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.record(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer's
// optional features (deadlines, full duplex).
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming handlers working; handlers often test for
// http.Flusher directly instead of using http.ResponseController.
func (w *responseWriter) Flush() {
	w.record(http.StatusOK)
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes a connection takeover (WebSocket upgrades) through.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.code == 0 {
		w.code = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
