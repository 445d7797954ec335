package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// gridWidth is the width of Grafana's dashboard grid.
const gridWidth = 24

// board lays panels out on the grid row by row and numbers them, so that
// every position and id is explicit and follows the order of the code.
type board struct {
	b      *dashboard.DashboardBuilder
	nextID uint32
	x, y   uint32
	// lineHeight is the height of the tallest panel on the current line.
	lineHeight uint32
	// err is the first layout mistake, reported by build.
	err error
}

func newBoard(b *dashboard.DashboardBuilder) *board { return &board{b: b, nextID: 1} }

// build returns the dashboard, or the first layout or builder error.
func (bd *board) build() (dashboard.Dashboard, error) {
	if bd.err != nil {
		return dashboard.Dashboard{}, bd.err
	}
	return bd.b.Build()
}

func (bd *board) id() uint32 {
	id := bd.nextID
	bd.nextID++
	return id
}

// newline moves below the current line of panels.
func (bd *board) newline() {
	bd.y += bd.lineHeight
	bd.x, bd.lineHeight = 0, 0
}

// row starts a new (expanded) row; its panels follow it at the top level,
// which is how classic dashboards store rows that are not collapsed.
func (bd *board) row(title string) {
	bd.newline()
	bd.b.WithRow(dashboard.NewRowBuilder(title).
		Id(bd.id()).
		Collapsed(false).
		GridPos(dashboard.GridPos{X: 0, Y: bd.y, W: gridWidth, H: 1}))
	bd.y++
}

// add places p right of the previous panel, or on a new line when it does not fit.
func (bd *board) add(p panel) {
	if p.w == 0 || p.w > gridWidth || p.h == 0 {
		if bd.err == nil {
			bd.err = fmt.Errorf("internal: panel %q has size %dx%d", p.title, p.w, p.h)
		}
		return
	}
	if bd.x+p.w > gridWidth {
		bd.newline()
	}
	pos := dashboard.GridPos{X: bd.x, Y: bd.y, W: p.w, H: p.h}
	bd.b.WithPanel(p.build(bd.id(), pos))
	bd.x += p.w
	bd.lineHeight = max(bd.lineHeight, p.h)
}
