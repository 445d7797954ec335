package routing

import (
	"sort"
	"strings"

	amcommoncfg "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/pkg/labels"
	prommodel "github.com/prometheus/common/model"
)

// SilencedBy returns, for every label set, the indices (ascending, each
// once) of the other label sets whose firing mutes it under rules.
//
// It follows Alertmanager's Inhibitor.Mutes and its source cache: sources
// of a rule are grouped by the values of the rule's equal labels (absent
// counts as empty), so a target is only compared with the sources of its
// own group instead of with every alert; a target that also matches the
// source side is only muted by sources that do not match the target side.
// Rules are parsed by the module (inhibit.NewInhibitRule). A large stack
// has a few rules per service over every alert, so no rule looks at every
// alert: its sources are found through an index of one of its equality
// matchers' values (alertname="CheckoutTargetDown"), and its targets
// through an index of the alerts by the values of the rule's equal labels,
// built once per distinct equal list. The tests check the result against a
// running inhibit.Inhibitor and against a pairwise evaluation.
func SilencedBy(rules []amcommoncfg.InhibitRule, sets []prommodel.LabelSet) [][]int {
	out := make([][]int, len(sets))
	idx := &setIndex{sets: sets, byValue: map[prommodel.LabelName]map[prommodel.LabelValue][]int{},
		byEqual: map[string]map[string][]int{}}
	for _, cr := range rules {
		r := inhibit.NewInhibitRule(cr)
		src := idx.matching(r.SourceMatchers)
		if len(src) == 0 {
			continue
		}
		equal := make([]prommodel.LabelName, 0, len(r.Equal))
		for l := range r.Equal {
			equal = append(equal, l)
		}
		sort.Slice(equal, func(i, j int) bool { return equal[i] < equal[j] })

		// srcIsTgt[j]: source j also matches the target side.
		srcIsTgt := make(map[int]bool, len(src))
		groups := map[string][]int{}
		for _, j := range src {
			srcIsTgt[j] = matchesAll(r.TargetMatchers, sets[j])
			k := equalKey(sets[j], equal)
			groups[k] = append(groups[k], j)
		}
		byKey := idx.byEqualKey(equal)
		for k, js := range groups {
			for _, i := range byKey[k] {
				if !matchesAll(r.TargetMatchers, sets[i]) {
					continue
				}
				iIsSrc := matchesAll(r.SourceMatchers, sets[i])
				for _, j := range js {
					if j == i || (iIsSrc && srcIsTgt[j]) {
						continue
					}
					out[i] = append(out[i], j)
				}
			}
		}
	}
	for i, js := range out {
		sort.Ints(js)
		out[i] = compactInts(js)
	}
	return out
}

func matchesAll(ms labels.Matchers, ls prommodel.LabelSet) bool {
	for _, mt := range ms {
		if !mt.Matches(string(ls[prommodel.LabelName(mt.Name)])) {
			return false
		}
	}
	return true
}

// equalKey joins the values of names in ls; 0xff never occurs in UTF-8,
// so distinct value lists give distinct keys.
func equalKey(ls prommodel.LabelSet, names []prommodel.LabelName) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(string(ls[n]))
		b.WriteByte(0xff)
	}
	return b.String()
}

func compactInts(s []int) []int {
	if len(s) < 2 {
		return s
	}
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// setIndex finds the label sets that match a list of matchers.
type setIndex struct {
	sets []prommodel.LabelSet
	// byValue lists, per label name and value, the sets (ascending) that
	// carry it; built per label name on first use.
	byValue map[prommodel.LabelName]map[prommodel.LabelValue][]int
	// byEqual lists, per list of equal labels (its equalKey) and key, the
	// sets with those values.
	byEqual map[string]map[string][]int
}

// byEqualKey groups every set by its equalKey for names.
func (x *setIndex) byEqualKey(names []prommodel.LabelName) map[string][]int {
	var id strings.Builder
	for _, n := range names {
		id.WriteString(string(n))
		id.WriteByte(0xff)
	}
	if m, ok := x.byEqual[id.String()]; ok {
		return m
	}
	m := map[string][]int{}
	for i, ls := range x.sets {
		k := equalKey(ls, names)
		m[k] = append(m[k], i)
	}
	x.byEqual[id.String()] = m
	return m
}

// matching returns the indices (ascending) of the sets that every matcher
// of ms matches. Only the sets that carry the value of the first equality
// matcher with a non-empty value are tried, when there is one: no other
// set can match it.
func (x *setIndex) matching(ms labels.Matchers) []int {
	var candidates []int
	indexed := false
	for _, mt := range ms {
		if mt.Type == labels.MatchEqual && mt.Value != "" {
			candidates = x.carrying(prommodel.LabelName(mt.Name))[prommodel.LabelValue(mt.Value)]
			indexed = true
			break
		}
	}
	if !indexed {
		candidates = make([]int, len(x.sets))
		for i := range candidates {
			candidates[i] = i
		}
	}
	var out []int
	for _, i := range candidates {
		if matchesAll(ms, x.sets[i]) {
			out = append(out, i)
		}
	}
	return out
}

// carrying is the index of label name: value to the sets that carry it.
func (x *setIndex) carrying(name prommodel.LabelName) map[prommodel.LabelValue][]int {
	if m, ok := x.byValue[name]; ok {
		return m
	}
	m := map[prommodel.LabelValue][]int{}
	for i, ls := range x.sets {
		if v, ok := ls[name]; ok {
			m[v] = append(m[v], i)
		}
	}
	x.byValue[name] = m
	return m
}
