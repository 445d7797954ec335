package prometheus

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
)

// TestLeAsIngested exposes a histogram with client_golang, parses the
// exposition with Prometheus's own scrape parser, and checks that every le
// value Prometheus stores is the one leValue writes into the SLI rules.
func TestLeAsIngested(t *testing.T) {
	buckets := []float64{0.01, 0.025, 0.1, 0.3, 1, 2.5, 5, 10}
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "d_seconds", Help: "h", Buckets: buckets})
	reg.MustRegister(h)
	h.Observe(0.2)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	p := textparse.NewPromParser(buf.Bytes(), labels.NewSymbolTable(), false)
	var got []string
	for {
		e, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if e != textparse.EntrySeries {
			continue
		}
		var l labels.Labels
		p.Labels(&l)
		if le := l.Get("le"); le != "" && le != "+Inf" {
			got = append(got, le)
		}
	}
	if len(got) != len(buckets) {
		t.Fatalf("parsed le values %v, want %d buckets", got, len(buckets))
	}
	for i, b := range buckets {
		if got[i] != leValue(b) {
			t.Errorf("bucket %v: Prometheus stores le=%q, rules select le=%q", b, got[i], leValue(b))
		}
	}
}
