package verify

import (
	"strings"
	"testing"
)

// TestParseErrors: malformed expositions are clear errors, never panics,
// whatever format they claim; a corrupt protobuf length prefix (which
// makes expfmt's own protobuf decoder panic) is one of them.
func TestParseErrors(t *testing.T) {
	const proto = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
	for _, tc := range []struct {
		name, data, contentType, want string
	}{
		{"text syntax", "a{b=\"c\" 1\n", "", "text format parsing error in line 1"},
		{"text duplicate TYPE", "# TYPE a counter\n# TYPE a counter\na 1\n", "", "second TYPE line"},
		{"OpenMetrics without EOF", "# TYPE a gauge\na 1\n", "application/openmetrics-text; version=1.0.0; charset=utf-8", "# EOF"},
		{"OpenMetrics counter without _total", "# TYPE a counter\na 1\n# EOF\n", "application/openmetrics-text; version=1.0.0; charset=utf-8", "a"},
		{"protobuf huge length prefix", "\xff\xff\xff\xff\xff\xff\xff\x0f", proto, "protobuf"},
		{"protobuf truncated", "\x10abc", proto, "protobuf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data), tc.contentType)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestParseFormats: the Content-Type picks the parser, and without one
// the content does; families come out named alike (a counter with its
// _total) in every format.
func TestParseFormats(t *testing.T) {
	for _, tc := range []struct {
		name, data, contentType string
	}{
		{"text", "# TYPE a_total counter\na_total{x=\"1\"} 1\n", "text/plain; version=0.0.4; charset=utf-8"},
		{"text, no Content-Type", "# TYPE a_total counter\na_total{x=\"1\"} 1\n", ""},
		{"OpenMetrics", "# TYPE a counter\na_total{x=\"1\"} 1\n# EOF\n", "application/openmetrics-text; version=1.0.0; charset=utf-8"},
		{"OpenMetrics sniffed", "# TYPE a counter\na_total{x=\"1\"} 1\n# EOF\n", ""},
		{"unknown Content-Type, text content", "# TYPE a_total counter\na_total{x=\"1\"} 1\n", "text/html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp, err := Parse([]byte(tc.data), tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if got := exp.Names(); len(got) != 1 || got[0] != "a_total" {
				t.Errorf("families %v, want [a_total]", got)
			}
		})
	}
}
