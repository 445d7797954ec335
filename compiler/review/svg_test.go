package review

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/benchspec"
	"github.com/stackc/stackc/compiler/simulate/timeline"
	"github.com/stackc/stackc/compiler/spec"
)

// svgElem is one element of a parsed SVG with the id of its panel group.
type svgElem struct {
	name, panel string
	attrs       map[string]string
	text        string
}

// parseSVG returns every element of an SVG, in document order.
func parseSVG(t *testing.T, data []byte) []svgElem {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []svgElem
	var stack []string // panel ids of the open elements
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch se := tok.(type) {
		case xml.StartElement:
			e := svgElem{name: se.Name.Local, attrs: map[string]string{}}
			for _, a := range se.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				e.panel = stack[len(stack)-1]
			}
			if id := e.attrs["id"]; strings.HasPrefix(id, "panel-") {
				e.panel = id
			}
			stack = append(stack, e.panel)
			out = append(out, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(out) > 0 {
				out[len(out)-1].text += string(se)
			}
		}
	}
}

type point struct{ x, y float64 }

func points(t *testing.T, s string) []point {
	t.Helper()
	var out []point
	for _, f := range strings.Fields(s) {
		xs, ys, ok := strings.Cut(f, ",")
		x, err1 := strconv.ParseFloat(xs, 64)
		y, err2 := strconv.ParseFloat(ys, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("bad point %q", f)
		}
		out = append(out, point{x, y})
	}
	return out
}

func attrFloat(t *testing.T, e svgElem, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.attrs[name], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", e.name, name, e.attrs[name], err)
	}
	return v
}

// panelOf returns the elements of one panel, by class (or element name).
func panelOf(es []svgElem, id uint32) map[string][]svgElem {
	out := map[string][]svgElem{}
	for _, e := range es {
		if e.panel != "panel-"+strconv.Itoa(int(id)) {
			continue
		}
		k := e.attrs["class"]
		if k == "" {
			k = e.name
		}
		out[k] = append(out[k], e)
	}
	return out
}

// TestPreviewsDrawTheSimulation checks, on the demo stack's previews, that
// the lines drawn are the simulated series of the full outage: a burn rate
// of the page-fast tier is quiet before the incident and crosses the page
// factor's line at or before the page moment marked on the panel, and the
// overview's error ratio of the failing endpoint rises at the incident,
// while the other endpoints' stay flat.
func TestPreviewsDrawTheSimulation(t *testing.T) {
	svgs := map[string][]byte{}
	for _, f := range emitFile(t, "../../stack.jsonnet") {
		svgs[f.Path] = f.Data
	}
	slos := parseSVG(t, svgs[PreviewPath("stackc-shop-slos")])
	overview := parseSVG(t, svgs[PreviewPath("stackc-shop-overview")])

	cases := []struct {
		name   string
		elems  []svgElem
		panel  uint32
		series string
		// check gets the series' points, the fault's start and end (x) and
		// the panel's marks.
		check func(t *testing.T, pts []point, fault [2]float64, p map[string][]svgElem)
	}{
		{"page-fast 1h window crosses 14.4x by the page", slos, 7, "1h window",
			func(t *testing.T, pts []point, fault [2]float64, p map[string][]svgElem) {
				if len(p["threshold"]) != 1 || len(p["page"]) != 1 {
					t.Fatalf("threshold %d, page %d lines, want one each", len(p["threshold"]), len(p["page"]))
				}
				ty := attrFloat(t, p["threshold"][0], "y1")
				px := attrFloat(t, p["page"][0], "x1")
				cross := math.Inf(1)
				for _, q := range pts {
					if q.x < fault[0] && q.y <= ty {
						t.Errorf("burn rate above the factor at x=%.1f, before the incident at %.1f", q.x, fault[0])
					}
					if q.y < ty && q.x < cross {
						cross = q.x
					}
				}
				if cross > px {
					t.Errorf("the 1h burn rate crosses the factor line at x=%.1f, after the page at x=%.1f", cross, px)
				}
				if cross < fault[0] {
					t.Errorf("crosses at x=%.1f before the incident at %.1f", cross, fault[0])
				}
			}},
		{"overview error ratio of checkout rises at the incident", overview, 8, "checkout",
			func(t *testing.T, pts []point, fault [2]float64, p map[string][]svgElem) {
				var before, during []float64
				for _, q := range pts {
					switch {
					case q.x < fault[0]:
						before = append(before, q.y)
					case q.x > fault[0]+(fault[1]-fault[0])/3 && q.x < fault[1]:
						during = append(during, q.y)
					}
				}
				if len(before) == 0 || len(during) == 0 {
					t.Fatalf("%d points before the incident, %d during it", len(before), len(during))
				}
				// SVG y grows downwards: the outage (100% errors) is at the top.
				if slicesMin(before) <= slicesMax(during) {
					t.Errorf("error ratio during the outage (y %v) not above the one before (y %v)", during, before)
				}
			}},
		{"overview error ratio of get_cart stays flat", overview, 8, "get_cart",
			func(t *testing.T, pts []point, fault [2]float64, p map[string][]svgElem) {
				if len(pts) < 10 {
					t.Fatalf("%d points", len(pts))
				}
				for _, q := range pts[1:] {
					if q.y != pts[0].y {
						t.Errorf("get_cart's error ratio moves (y %.1f then %.1f): it is not in the incident", pts[0].y, q.y)
						break
					}
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := panelOf(c.elems, c.panel)
			var pts []point
			for _, pl := range p["series"] {
				if pl.attrs["data-series"] == c.series {
					pts = append(pts, points(t, pl.attrs["points"])...)
				}
			}
			if len(pts) == 0 {
				t.Fatalf("panel %d has no polyline of series %q", c.panel, c.series)
			}
			if len(p["fault"]) != 1 {
				t.Fatalf("panel %d marks the fault %d times", c.panel, len(p["fault"]))
			}
			f := p["fault"][0]
			x := attrFloat(t, f, "x")
			c.check(t, pts, [2]float64{x, x + attrFloat(t, f, "width")}, p)
		})
	}

	// No preview draws anything but simulated series or says why not.
	for path, data := range svgs {
		if !strings.HasSuffix(path, ".svg") {
			continue
		}
		for id, p := range byPanel(parseSVG(t, data)) {
			drawn := len(p["series"]) > 0 || len(p["stat"]) > 0
			said := false
			for _, e := range p["text"] {
				said = said || strings.HasPrefix(e.text, "not simulated: ")
			}
			if drawn == said {
				t.Errorf("%s %s: drawn %v, says not simulated %v; want exactly one", path, id, drawn, said)
			}
		}
	}
}

func byPanel(es []svgElem) map[string]map[string][]svgElem {
	out := map[string]map[string][]svgElem{}
	for _, e := range es {
		if e.panel == "" {
			continue
		}
		id, _ := strconv.Atoi(strings.TrimPrefix(e.panel, "panel-"))
		out[e.panel] = panelOf(es, uint32(id))
	}
	return out
}

func slicesMin(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// TestPreviewPanels draws hand-made panels and checks what each says.
func TestPreviewPanels(t *testing.T) {
	page := timeline.Offset(90 * time.Second)
	inc := timeline.Incident{From: timeline.Offset(-30 * time.Minute), Step: timeline.Offset(15 * time.Minute), Points: 7,
		Recovery: timeline.Offset(30 * time.Minute), Page: &page}
	ramp := timeline.Values{0.001, 0.001, 0.5, 1, math.NaN(), 0.002, 0.001}
	cases := []struct {
		name    string
		panel   Panel
		preview *timeline.DashboardPreview
		want    []string
		notWant []string
	}{
		{"stat shows the value at the page and at the end",
			Panel{ID: 1, Title: "Error ratio", Type: "stat", Unit: "percentunit", W: 6, H: 5},
			&timeline.DashboardPreview{Incidents: map[string]timeline.Incident{"s/o": inc},
				Panels: []timeline.PanelPreview{{ID: 1, Incident: "s/o", Series: []timeline.Series{{Name: "errors", Values: ramp}}}}},
			[]string{`class="stat"`, ">50%</text>", "at the page (+1m30s)", "0.1% at +1h"}, []string{"not simulated"}},
		{"a panel the simulation skipped says why and draws nothing",
			Panel{ID: 2, Title: "Orders", Type: "timeseries", Unit: "ops", W: 12, H: 8},
			&timeline.DashboardPreview{Panels: []timeline.PanelPreview{{ID: 2, NotSimulated: "shop_orders_total is not among the simulated series"}}},
			[]string{"not simulated: shop_orders_total is not among the simulated series"}, []string{"<polyline"}},
		{"without a simulation every panel says so",
			Panel{ID: 3, Title: "Request rate", Type: "timeseries", Unit: "reqps", W: 12, H: 8}, nil,
			[]string{"not simulated: the build ran no incident simulation"}, []string{"<polyline"}},
		{"a time series splits at missing points and marks the page",
			Panel{ID: 4, Title: "Error ratio by endpoint", Type: "timeseries", Unit: "percentunit", W: 12, H: 8},
			&timeline.DashboardPreview{Incidents: map[string]timeline.Incident{"s/o": inc},
				Panels: []timeline.PanelPreview{{ID: 4, Incident: "s/o", Series: []timeline.Series{{Name: "checkout", Values: ramp}}}}},
			[]string{`data-series="checkout"`, `class="page"`, "page +1m30s", ">100%</text>", ">0%</text>", ">+30m</text>"},
			[]string{"not simulated", `class="threshold"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svg := string(Preview(Dashboard{UID: "u", Title: "t", Rows: []Row{{Panels: []Panel{c.panel}}}}, c.preview))
			parseSVG(t, []byte(svg))
			for _, w := range c.want {
				if !strings.Contains(svg, w) {
					t.Errorf("preview does not contain %q", w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(svg, w) {
					t.Errorf("preview contains %q", w)
				}
			}
			if n := strings.Count(svg, "<polyline"); strings.Contains(c.name, "splits") && n != 2 {
				t.Errorf("%d polylines, want 2 (the missing point splits the series)", n)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	cases := []struct {
		v    float64
		unit string
		want string
	}{
		{0.99953, "percentunit", "99.95%"},
		{-0.1942, "percentunit", "-19.42%"},
		{0.2352, "s", "235.2 ms"},
		{9.937, "reqps", "9.937 req/s"},
		{14.4, "suffix:x", "14.4×"},
		{1000, "suffix:x", "1000×"},
		{0, "short", "0"},
		{2.5, "short", "2.5"},
	}
	for _, c := range cases {
		if got := formatValue(c.v, c.unit); got != c.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}

// TestOverviewsOfAlikeServices checks that services alike up to names,
// which share one overview simulation, each get their own names back: the
// "Target up" panel of each service's overview names its own target.
func TestOverviewsOfAlikeServices(t *testing.T) {
	res, err := spec.Load("alike.jsonnet", []byte(benchspec.Stack(2)), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := artifact.Files(Emit, res.Stack, prior(t, res.Stack))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ uid, want string }{
		{"stackc-svc0-overview", "127.0.0.1:20000"},
		{"stackc-svc1-overview", "127.0.0.1:20001"},
	}
	for _, c := range cases {
		t.Run(c.uid, func(t *testing.T) {
			for _, f := range files {
				if f.Path != PreviewPath(c.uid) {
					continue
				}
				var names []string
				for _, e := range parseSVG(t, f.Data) {
					if e.attrs["class"] == "series" && e.panel == "panel-15" {
						names = append(names, e.attrs["data-series"])
					}
				}
				if len(names) != 1 || names[0] != c.want {
					t.Errorf("Target up draws %q, want one series named %q", names, c.want)
				}
				return
			}
			t.Fatalf("no preview %s", c.uid)
		})
	}
}
