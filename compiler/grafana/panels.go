package grafana

import (
	"strconv"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/heatmap"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/stackc/stackc/compiler/slo"
)

// Variable names of the dashboards' template variables.
const (
	varDatasource = "datasource"
	varInstance   = "instance"
)

// datasourceRef is what every panel and query points at: the dashboard's
// data source variable, whose only default is the provisioned Prometheus.
func datasourceRef() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${" + varDatasource + "}")}
}

// kind is a panel type the dashboards use.
type kind int

const (
	timeSeries kind = iota
	statPanel
	heatmapPanel
)

// query is one PromQL target of a panel.
type query struct {
	Expr   string
	Legend string
	// Instant asks for the latest value only (stat panels).
	Instant bool
	// Heatmap formats classic histogram buckets for the heatmap panel.
	Heatmap bool
}

// panel is everything a generated panel may set; build turns it into an
// SDK builder so that every panel gets the same explicit options.
type panel struct {
	kind        kind
	title, desc string
	unit        string
	w, h        uint32
	queries     []query
	decimals    *float64
	min, max    *float64
	// thresholds are (value, color) steps above the base color; nil keeps
	// the plain green base.
	thresholds []step
	baseColor  string
	// thresholdLine draws the thresholds as dashed lines in a time series.
	thresholdLine bool
	// stacked bars for breakdowns that add up (status codes).
	stacked bool
	// graph draws a sparkline behind a stat.
	graph    bool
	mappings []dashboard.ValueMapping
	noValue  string
}

type step struct {
	value float64
	color string
}

func (p panel) thresholdsConfig() *dashboard.ThresholdsConfigBuilder {
	base := p.baseColor
	if base == "" {
		base = "green"
	}
	steps := []dashboard.Threshold{{Value: nil, Color: base}}
	for _, s := range p.thresholds {
		steps = append(steps, dashboard.Threshold{Value: cog.ToPtr(round(s.value)), Color: s.color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

// nanMapping shows NaN (0/0 at zero traffic) as "no data" in case a
// recorded ratio ever carries one; the queries already drop NaN.
func nanMapping() dashboard.ValueMapping {
	return dashboard.ValueMapping{SpecialValueMap: &dashboard.SpecialValueMap{
		Type: dashboard.MappingTypeSpecialValue,
		Options: dashboard.DashboardSpecialValueMapOptions{
			Match:  dashboard.SpecialValueMatchNaN,
			Result: dashboard.ValueMappingResult{Text: cog.ToPtr("no data"), Index: cog.ToPtr(int32(0))},
		},
	}}
}

func (p panel) targets() []cog.Builder[variants.Dataquery] {
	var out []cog.Builder[variants.Dataquery]
	for i, q := range p.queries {
		b := prometheus.NewDataqueryBuilder().
			Datasource(datasourceRef()).
			RefId(string(rune('A' + i))).
			Expr(q.Expr).
			EditorMode(prometheus.QueryEditorModeCode)
		if q.Legend != "" {
			b = b.LegendFormat(q.Legend)
		} else {
			b = b.LegendFormat("__auto")
		}
		switch {
		case q.Instant:
			b = b.Instant().Format(prometheus.PromQueryFormatTimeSeries)
		case q.Heatmap:
			b = b.Range().Format(prometheus.PromQueryFormatHeatmap)
		default:
			b = b.Range().Format(prometheus.PromQueryFormatTimeSeries)
		}
		out = append(out, b)
	}
	return out
}

func (p panel) noValueText() string {
	if p.noValue != "" {
		return p.noValue
	}
	return "no data"
}

func (p panel) valueMappings() []dashboard.ValueMapping {
	return append([]dashboard.ValueMapping{nanMapping()}, p.mappings...)
}

// build returns the SDK builder of the panel with its id and position.
func (p panel) build(id uint32, pos dashboard.GridPos) cog.Builder[dashboard.Panel] {
	switch p.kind {
	case statPanel:
		return p.buildStat(id, pos)
	case heatmapPanel:
		return p.buildHeatmap(id, pos)
	default:
		return p.buildTimeSeries(id, pos)
	}
}

func (p panel) buildTimeSeries(id uint32, pos dashboard.GridPos) cog.Builder[dashboard.Panel] {
	b := withValueOptions(withBase(timeseries.NewPanelBuilder(), p, id, pos), p).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true).
			Calcs([]string{"lastNotNull", "max"})).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending)).
		LineWidth(1).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeNever).
		SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(false)})
	if p.thresholdLine {
		b = b.ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
	} else {
		b = b.ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeOff))
	}
	if p.stacked {
		b = b.DrawStyle(common.GraphDrawStyleBars).
			FillOpacity(80).
			Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal).Group("A"))
	} else {
		b = b.DrawStyle(common.GraphDrawStyleLine).
			Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNone).Group("A"))
	}
	return b
}

func (p panel) buildStat(id uint32, pos dashboard.GridPos) cog.Builder[dashboard.Panel] {
	graph := common.BigValueGraphModeNone
	if p.graph {
		graph = common.BigValueGraphModeArea
	}
	return withValueOptions(withBase(stat.NewPanelBuilder(), p, id, pos), p).
		ReduceOptions(common.NewReduceDataOptionsBuilder().
			Calcs([]string{"lastNotNull"}).
			Values(false).
			Fields("")).
		GraphMode(graph).
		ColorMode(common.BigValueColorModeValue).
		JustifyMode(common.BigValueJustifyModeAuto).
		TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto).
		WideLayout(true).
		ShowPercentChange(false)
}

func (p panel) buildHeatmap(id uint32, pos dashboard.GridPos) cog.Builder[dashboard.Panel] {
	return withBase(heatmap.NewPanelBuilder(), p, id, pos).
		Calculate(false).
		YAxis(heatmap.NewYAxisConfigBuilder().Unit(p.unit).AxisPlacement(common.AxisPlacementLeft)).
		RowsFrame(heatmap.NewRowsHeatmapOptionsBuilder().Layout(common.HeatmapCellLayoutLe)).
		CellValues(heatmap.NewCellValuesBuilder().Unit("short")).
		Tooltip(heatmap.NewHeatmapTooltipBuilder().Mode(common.TooltipDisplayModeSingle).YHistogram(true).ShowColorScale(true)).
		ShowLegend()
}

// panelBuilder is the part the SDK's generated panel builders (time
// series, stat, heatmap) have in common, each method returning the builder.
type panelBuilder[B any] interface {
	Id(uint32) B
	GridPos(dashboard.GridPos) B
	Title(string) B
	Description(string) B
	Datasource(common.DataSourceRef) B
	Unit(string) B
	NoValue(string) B
	WithTarget(cog.Builder[variants.Dataquery]) B
	Mappings([]dashboard.ValueMapping) B
	Thresholds(cog.Builder[dashboard.ThresholdsConfig]) B
	Decimals(float64) B
	Min(float64) B
	Max(float64) B
}

// withBase sets what every panel has: id, position, title, description,
// datasource, unit, the text shown without data, and the queries.
func withBase[B panelBuilder[B]](b B, p panel, id uint32, pos dashboard.GridPos) B {
	b = b.Id(id).
		GridPos(pos).
		Title(p.title).
		Description(p.desc).
		Datasource(datasourceRef()).
		Unit(p.unit).
		NoValue(p.noValueText())
	for _, t := range p.targets() {
		b = b.WithTarget(t)
	}
	return b
}

// withValueOptions sets how time series and stat panels show values:
// mappings, threshold colours, decimals and axis bounds.
func withValueOptions[B panelBuilder[B]](b B, p panel) B {
	b = b.Mappings(p.valueMappings()).
		Thresholds(p.thresholdsConfig())
	if p.decimals != nil {
		b = b.Decimals(*p.decimals)
	}
	if p.min != nil {
		b = b.Min(*p.min)
	}
	if p.max != nil {
		b = b.Max(*p.max)
	}
	return b
}

// round drops the float noise of ratios computed from percentages
// (99.9/100 = 0.9990000000000001), which would otherwise show in the JSON.
func round(v float64) float64 {
	r, err := strconv.ParseFloat(slo.FormatFloat(v), 64)
	if err != nil {
		return v
	}
	return r
}

// f64 is an optional number.
func f64(v float64) *float64 { return &v }

// dropNaN keeps only non-NaN samples: NaN compares false with everything,
// so a ratio over zero traffic disappears and the panel says "no data".
func dropNaN(expr string) string { return "(" + expr + ") > -Inf" }
