package verify

import (
	"bytes"
	"os"
	"strings"

	"github.com/prometheus/common/expfmt"
	"path/filepath"
	"testing"
)

// fuzzContentTypes are the Content-Types an app may answer with; the
// fuzzer picks one by index (out of range: none, the content decides).
var fuzzContentTypes = []string{
	"text/plain; version=0.0.4; charset=utf-8",
	"text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
	"application/openmetrics-text; version=1.0.0; charset=utf-8",
	"application/openmetrics-text; version=0.0.1; charset=utf-8",
	"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
	"application/json",
}

// maxOpenMetricsFuzz bounds the OpenMetrics inputs the fuzzer parses.
const maxOpenMetricsFuzz = 2048

// sniffOpenMetrics reports whether Parse reads data as OpenMetrics.
func sniffOpenMetrics(contentType string, data []byte) bool {
	if contentType == "" || strings.HasPrefix(contentType, "application/json") {
		return sniff(data) == expfmt.FmtOpenMetrics_1_0_0
	}
	return strings.HasPrefix(contentType, "application/openmetrics-text")
}

// head is the first n lines of data, ended as an OpenMetrics exposition.
func head(data []byte, n int) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > n {
		lines = lines[:n]
	}
	return append(bytes.Join(lines, nil), "# EOF\n"...)
}

// FuzzVerifyExposition feeds any bytes, under any Content-Type, to the
// path of `stackc verify`: parsing must fail cleanly or yield families
// that Check reads without panicking, for every service of the test spec
// (the generated registry and each exporter preset).
func FuzzVerifyExposition(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		if filepath.Ext(file) == ".jsonnet" {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i := range len(fuzzContentTypes) + 1 {
			f.Add(data, uint8(i))
		}
		f.Add(head(data, 12), uint8(2))
	}
	f.Add([]byte("# EOF\n"), uint8(2))
	f.Add([]byte("a_bucket{le=\"x\"} 1\n"), uint8(0))
	f.Add([]byte("# TYPE a histogram\na_bucket{le=\"+Inf\"} 1\na_count 1\n"), uint8(0))
	st := testStack(f)
	f.Fuzz(func(t *testing.T, data []byte, ct uint8) {
		contentType := ""
		if int(ct) < len(fuzzContentTypes) {
			contentType = fuzzContentTypes[ct]
		}
		if len(data) > maxOpenMetricsFuzz && sniffOpenMetrics(contentType, data) {
			// expfmt's OpenMetrics decoder takes tens of milliseconds a
			// line (see Accept): keep its inputs small enough to fuzz.
			return
		}
		exp, err := Parse(data, contentType)
		if err != nil {
			return
		}
		for _, svc := range st.Services {
			r, err := Check(st, svc.Name, exp)
			if err != nil {
				t.Fatalf("Check %s: %v", svc.Name, err)
			}
			for _, p := range r.Problems {
				_ = r.Line(p)
			}
		}
	})
}
