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

func contentTypeOf(i uint8) string {
	if int(i) < len(fuzzContentTypes) {
		return fuzzContentTypes[i]
	}
	return ""
}

// maxOpenMetricsFuzz bounds the OpenMetrics inputs the fuzzer parses:
// expfmt's OpenMetrics decoder takes milliseconds a byte under the
// fuzzer's coverage instrumentation, which would stall it on every
// mutation of a larger input.
const maxOpenMetricsFuzz = 300

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
			if len(data) > maxOpenMetricsFuzz && sniffOpenMetrics(contentTypeOf(uint8(i)), data) {
				continue // see maxOpenMetricsFuzz
			}
			f.Add(data, uint8(i))
		}
		f.Add(head(data, 3), uint8(2))
	}
	f.Add([]byte("# EOF\n"), uint8(2))
	f.Add([]byte("a_bucket{le=\"x\"} 1\n"), uint8(0))
	f.Add([]byte("# TYPE a histogram\na_bucket{le=\"+Inf\"} 1\na_count 1\n"), uint8(0))
	st := testStack(f)
	f.Fuzz(func(t *testing.T, data []byte, ct uint8) {
		contentType := contentTypeOf(ct)
		if len(data) > maxOpenMetricsFuzz && sniffOpenMetrics(contentType, data) {
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
