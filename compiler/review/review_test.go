package review

import (
	"bytes"
	"encoding/xml"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/alertmanager"
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/grafana"
	"github.com/stackc/stackc/compiler/internal/golden"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/prometheus"
	"github.com/stackc/stackc/compiler/simulate"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

func emitFile(t *testing.T, path string) []artifact.File {
	t.Helper()
	st := spectest.Load(t, path, "")
	files, err := artifact.Files(Emit, st, prior(t, st))
	if err != nil {
		t.Fatalf("Emit: %v", err)
	}
	return files
}

// prior is what the build hands review: the artifacts of the targets it
// needs, Grafana, Alertmanager and the incident simulation (which reads
// Prometheus's too).
func prior(t *testing.T, st *model.Stack) artifact.Set {
	t.Helper()
	set := artifact.Set{}
	for _, emit := range []artifact.Emitter{grafana.Emit, alertmanager.Emit, prometheus.Emit, simulate.Emit} {
		files, err := artifact.Files(emit, st, set)
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Add(files...); err != nil {
			t.Fatal(err)
		}
	}
	return set
}

// TestGolden compares REVIEW.md and the previews of the demo stack with
// testdata/golden; go test -update rewrites them.
func TestGolden(t *testing.T) {
	files := emitFile(t, "../../stack.jsonnet")
	golden.Dir(t, filepath.Join("testdata", "golden"), files)
}

func TestDeterministic(t *testing.T) {
	a, b := emitFile(t, "../../stack.jsonnet"), emitFile(t, "../../stack.jsonnet")
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two builds", a[i].Path)
		}
	}
}

// TestPreviewsAreSelfContained parses every preview as XML and checks it
// references nothing outside itself, which GitHub would refuse to render.
func TestPreviewsAreSelfContained(t *testing.T) {
	n := 0
	st := spectest.Load(t, "../../stack.jsonnet", "")
	for _, f := range emitFile(t, "../../stack.jsonnet") {
		if !strings.HasSuffix(f.Path, ".svg") {
			continue
		}
		n++
		dec := xml.NewDecoder(bytes.NewReader(f.Data))
		root := ""
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Path, err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				if root == "" {
					root = se.Name.Local
				}
				switch se.Name.Local {
				case "script", "image", "foreignObject", "style", "use", "a":
					t.Errorf("%s has a <%s> element", f.Path, se.Name.Local)
				}
				for _, a := range se.Attr {
					if strings.Contains(a.Value, "://") && a.Name.Local != "xmlns" {
						t.Errorf("%s: <%s %s=%q> points outside the file", f.Path, se.Name.Local, a.Name.Local, a.Value)
					}
				}
			}
		}
		if root != "svg" {
			t.Errorf("%s: root element %q, want svg", f.Path, root)
		}
	}
	if want := 2 * len(st.Services); n != want {
		t.Errorf("%d previews, want %d (overview and SLOs of each of the %d services)", n, want, len(st.Services))
	}
}

// TestReviewMentions checks the facts a reviewer relies on appear in REVIEW.md.
func TestReviewMentions(t *testing.T) {
	var md string
	for _, f := range emitFile(t, "../../stack.jsonnet") {
		if f.Path == Path {
			md = string(f.Data)
		}
	}
	for _, want := range []string{
		"### shop / checkout-availability",
		"| page-fast | page | 1h / 5m | 14.4x | 1.44% | oncall |",
		"error budget: 0.1% of requests, 43m of full outage per 30d",
		"`severity=\"ticket\", team=\"storefront\"` → **storefront-email**, continue",
		"| 7 | Request rate by endpoint | timeseries | reqps |",
		"![layout of shop overview](grafana/previews/stackc-shop-overview.svg)",
		"| storefront-email | email | storefront@shop.example via smtp.shop.example:587 |",
		"| **total** | | **",
		// A raw SLO has no endpoints: its objective names its queries.
		"- objective: 99% of the events of `sum(rate(shop_orders_total[{{.window}}])) + sum(rate(shop_payment_failures_total[{{.window}}]))` good, " +
			"the bad ones counted by `sum(rate(shop_payment_failures_total[{{.window}}]))`, over 30d",
		"- burn-rate alerts stay quiet below 0.1 events/s",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("REVIEW.md does not contain %q", want)
		}
	}
	if strings.Contains(md, "requests to  ") {
		t.Error("REVIEW.md lists an SLO without endpoints as requests to no endpoint")
	}
	if strings.Contains(md, "smtp-password") {
		t.Error("REVIEW.md shows a secret's file")
	}
}

// TestOtherSpecs checks every dashboard gets a preview and REVIEW.md links
// it, on specs other than the demo.
func TestOtherSpecs(t *testing.T) {
	for _, path := range []string{"../grafana/testdata/small.jsonnet", "../diff/testdata/base.jsonnet", "../diff/testdata/head.jsonnet"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			files := emitFile(t, path)
			var md string
			var previews []string
			for _, f := range files {
				if f.Path == Path {
					md = string(f.Data)
				} else {
					previews = append(previews, f.Path)
				}
			}
			if len(previews) != 2 {
				t.Errorf("previews %v, want overview and SLOs", previews)
			}
			for _, p := range previews {
				if !strings.Contains(md, "]("+p+")") {
					t.Errorf("REVIEW.md does not link %s", p)
				}
			}
		})
	}
}

// TestOutage: the full outage a budget allows is never rounded away.
func TestOutage(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		period    time.Duration
		objective float64
		want      string
	}{
		{30 * day, 99.9, "43m"},
		{30 * day, 99, "7h12m"},
		{7 * day, 99.99, "1m"},
		{30 * day, 99.999, "26s"},
		{7 * day, 99.999, "6s"},
		{28 * day, 99.9999, "2s"},
	} {
		o := model.SLO{Objective: tc.objective}
		if got := outage(tc.period, o.ErrorBudget()); got != tc.want {
			t.Errorf("outage(%v, %v%%) = %s, want %s", tc.period, tc.objective, got, tc.want)
		}
	}
}
