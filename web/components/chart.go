package components

import "strconv"

// ChartBar is one decision of a funding chain in the chart.
type ChartBar struct {
	Reference string
	YearFrom  string // the first financial year, or empty when not recorded
	YearTo    string // the last, when the decision spans several
	Pence     int64
	Amount    string // short form ("£2.76m"); empty when not recorded
	Unclear   bool   // the amount may be per year or for all years
	Current   bool   // the decision whose page this is
}

// Chart geometry, in SVG user units. The SVG scales to its container.
const (
	chartWidth     = 720
	chartPlotTop   = 30
	chartPlotH     = 200
	chartLabelH    = 64
	chartLegendH   = 24 // room for the legend, drawn only when a bar is grey
	chartBarMargin = 8
)

type chartBarGeom struct {
	ChartBar
	X, Y, W, H float64
	CX         float64 // the bar's centre, for labels
}

func chartHeight(bars []ChartBar) int {
	if anyUnclear(bars) {
		return chartPlotTop + chartPlotH + chartLabelH + chartLegendH
	}
	return chartPlotTop + chartPlotH + chartLabelH
}

// anyUnclear reports whether a bar is drawn in grey, which the chart's legend then explains: the
// explanation belongs to the chart, since on narrow screens only the table is shown.
func anyUnclear(bars []ChartBar) bool {
	for _, b := range bars {
		if b.Unclear && b.Amount != "" {
			return true
		}
	}
	return false
}

func chartGeometry(bars []ChartBar) []chartBarGeom {
	var max int64
	for _, b := range bars {
		if b.Pence > max {
			max = b.Pence
		}
	}
	slot := float64(chartWidth) / float64(max1(len(bars)))
	out := make([]chartBarGeom, len(bars))
	for i, b := range bars {
		g := chartBarGeom{ChartBar: b, X: float64(i)*slot + chartBarMargin, W: slot - 2*chartBarMargin}
		g.CX = g.X + g.W/2
		if max > 0 && b.Amount != "" {
			g.H = float64(b.Pence) / float64(max) * chartPlotH
		}
		g.Y = chartPlotTop + chartPlotH - g.H
		out[i] = g
	}
	return out
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
