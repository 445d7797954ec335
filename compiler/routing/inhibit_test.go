package routing

import (
	"reflect"
	"testing"

	amcommoncfg "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/pkg/labels"
	prommodel "github.com/prometheus/common/model"
)

// TestSilencedByMatchesPairwiseEdges compares SilencedBy with the
// pairwise definition of Inhibitor.Mutes on rules whose matchers the index
// cannot narrow (regular expressions, an empty value that matches a missing
// label, negations) and on ones it can.
func TestSilencedByMatchesPairwiseEdges(t *testing.T) {
	m := func(typ labels.MatchType, name, value string) *labels.Matcher {
		mt, err := labels.NewMatcher(typ, name, value)
		if err != nil {
			t.Fatal(err)
		}
		return mt
	}
	rules := []amcommoncfg.InhibitRule{
		{SourceMatchers: amcommoncfg.Matchers{m(labels.MatchEqual, "severity", "page")},
			TargetMatchers: amcommoncfg.Matchers{m(labels.MatchEqual, "severity", "ticket")}, Equal: []string{"service"}},
		{SourceMatchers: amcommoncfg.Matchers{m(labels.MatchEqual, "team", "")},
			TargetMatchers: amcommoncfg.Matchers{m(labels.MatchRegexp, "service", "a|b")}},
		{SourceMatchers: amcommoncfg.Matchers{m(labels.MatchNotEqual, "service", "a"), m(labels.MatchEqual, "alertname", "Down")},
			TargetMatchers: amcommoncfg.Matchers{m(labels.MatchEqual, "service", "b")}, Equal: []string{"team"}},
	}
	sets := []prommodel.LabelSet{
		{"alertname": "Burn", "severity": "page", "service": "a", "team": "x"},
		{"alertname": "Burn", "severity": "ticket", "service": "a", "team": "x"},
		{"alertname": "Burn", "severity": "ticket", "service": "b", "team": "x"},
		{"alertname": "Down", "severity": "page", "service": "c"},
		{"alertname": "Down", "severity": "page", "service": "b"},
		{"alertname": "Down", "service": "d", "team": "x"},
		{"alertname": "Burn", "severity": "ticket", "service": "b"},
	}
	parsed := make([]*inhibit.InhibitRule, len(rules))
	for i, r := range rules {
		parsed[i] = inhibit.NewInhibitRule(r)
	}
	got := SilencedBy(rules, sets)
	for i, tgt := range sets {
		var want []int
		for j, src := range sets {
			if i == j {
				continue
			}
			for _, r := range parsed {
				if r.TargetMatchers.Matches(tgt) && r.SourceMatchers.Matches(src) &&
					!(r.SourceMatchers.Matches(tgt) && r.TargetMatchers.Matches(src)) && equalOn(r, src, tgt) {
					want = append(want, j)
					break
				}
			}
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("set %d %v: silenced by %v, pairwise %v", i, tgt, got[i], want)
		}
	}
}

func equalOn(r *inhibit.InhibitRule, a, b prommodel.LabelSet) bool {
	for l := range r.Equal {
		if a[l] != b[l] {
			return false
		}
	}
	return true
}
