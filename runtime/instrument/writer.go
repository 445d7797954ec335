package instrument

import (
	"bufio"
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
	code int
}

var writers = sync.Pool{New: func() any { return new(responseWriter) }}

func getWriter(w http.ResponseWriter) *responseWriter {
	rw := writers.Get().(*responseWriter)
	rw.ResponseWriter = w
	rw.code = 0
	return rw
}

func putWriter(rw *responseWriter) {
	rw.ResponseWriter = nil
	writers.Put(rw)
}

// WriteHeader records the first final status code. Informational 1xx
// responses (103 Early Hints) precede the final one and are not recorded;
// 101 Switching Protocols is final.
func (w *responseWriter) WriteHeader(code int) {
	if w.code == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer's
// optional features (deadlines, full duplex).
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming handlers working; handlers often test for
// http.Flusher directly instead of using http.ResponseController.
func (w *responseWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
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
