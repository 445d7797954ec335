package slo

import (
	"math"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
)

const day = 24 * time.Hour

func TestFactor(t *testing.T) {
	tests := []struct {
		period time.Duration
		want   []float64 // page-fast, page-slow, ticket-fast, ticket-slow
	}{
		{30 * day, []float64{14.4, 6, 3, 1}},      // the SRE workbook's table
		{28 * day, []float64{13.44, 5.6, 2.8, 1}}, // 0.933 clamped to 1
		{7 * day, []float64{3.36, 1.4, 1, 1}},     // 0.7 and 0.233 clamped to 1
		{90 * day, []float64{43.2, 18, 9, 3}},     // scales up unclamped
	}
	for _, tt := range tests {
		for i, tier := range Tiers {
			if got := tier.Factor(tt.period); math.Abs(got-tt.want[i]) > 1e-9 {
				t.Errorf("%s over %s: factor %v, want %v", tier.Name, model.Duration(tt.period), got, tt.want[i])
			}
		}
	}
}

func TestSpentShare(t *testing.T) {
	tests := []struct {
		tier   int
		period time.Duration
		want   float64
	}{
		{0, 30 * day, 0.02},
		{3, 30 * day, 0.10},
		{3, 7 * day, 3.0 / 7}, // clamped: 1x over 3d spends 3/7 of a week's budget
	}
	for _, tt := range tests {
		if got := Tiers[tt.tier].SpentShare(tt.period); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s over %s: spent share %v, want %v", Tiers[tt.tier].Name, model.Duration(tt.period), got, tt.want)
		}
	}
}

func TestThresholdAndCanFire(t *testing.T) {
	tests := []struct {
		objective float64
		tier      int
		threshold float64
		canFire   bool
	}{
		{99.9, 0, 0.0144, true},
		{99, 0, 0.144, true},
		{93.1, 0, 0.9936, true},
		{93, 0, 1.008, false}, // 14.4 x 7% needs more than every request failing
		{90, 1, 0.6, true},
		{50, 3, 0.5, true},
	}
	for _, tt := range tests {
		s := model.SLO{Objective: tt.objective, Period: model.Duration(30 * day)}
		tier := Tiers[tt.tier]
		if got := tier.Threshold(s); math.Abs(got-tt.threshold) > 1e-9 {
			t.Errorf("%v%% %s: threshold %v, want %v", tt.objective, tier.Name, got, tt.threshold)
		}
		if got := tier.CanFire(s); got != tt.canFire {
			t.Errorf("%v%% %s: CanFire %v, want %v", tt.objective, tier.Name, got, tt.canFire)
		}
	}
}

func TestWindowsAreWorkbookShortWindows(t *testing.T) {
	for _, tier := range Tiers {
		if tier.Short*12 != tier.Long {
			t.Errorf("%s: short window %s is not 1/12 of %s", tier.Name, tier.Short, tier.Long)
		}
		found := 0
		for _, w := range Windows(30 * day) {
			if w == tier.Short || w == tier.Long {
				found++
			}
		}
		if found != 2 {
			t.Errorf("%s: windows %s/%s are not both recorded", tier.Name, tier.Long, tier.Short)
		}
	}
}

func TestEnabledTiers(t *testing.T) {
	s := model.SLO{DisabledTiers: []string{"page-slow", "ticket-slow"}}
	var got []string
	for _, tier := range EnabledTiers(s) {
		got = append(got, tier.Name)
	}
	if len(got) != 2 || got[0] != "page-fast" || got[1] != "ticket-fast" {
		t.Errorf("EnabledTiers = %v, want [page-fast ticket-fast]", got)
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{Camel("checkout-latency"), "CheckoutLatency"},
		{Camel("get_product.v2"), "GetProductV2"},
		{Camel("http:requests/total (5xx)"), "HttpRequestsTotal5xx"},
		{Camel("GET /"), "GET"},
		{Camel("-_. "), ""},
		{BurnAlertName(model.SLO{Name: "checkout-availability"}), "CheckoutAvailabilityBudgetBurn"},
		{TargetDownAlertName(model.Service{Name: "shop"}), "ShopTargetDown"},
		{ErrorRatio(5 * time.Minute), "slo:sli_error:ratio_rate5m"},
		{ErrorRatio(30 * day), "slo:sli_error:ratio_rate30d"},
		{ErrorRatio(28 * day), "slo:sli_error:ratio_rate4w"},
		{DashboardUID("shop", "slos"), "stackc-shop-slos"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
