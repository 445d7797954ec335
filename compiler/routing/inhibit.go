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
// Rules are parsed by the module (inhibit.NewInhibitRule), and each
// distinct matcher is evaluated once per label set, however many rules
// share it. The tests check the result against a running inhibit.Inhibitor
// and against a pairwise evaluation.
func SilencedBy(rules []amcommoncfg.InhibitRule, sets []prommodel.LabelSet) [][]int {
	out := make([][]int, len(sets))
	memo := matcherMemo{sets: sets, results: map[string][]bool{}}
	for _, cr := range rules {
		r := inhibit.NewInhibitRule(cr)
		src := memo.all(r.SourceMatchers)
		equal := make([]prommodel.LabelName, 0, len(r.Equal))
		for l := range r.Equal {
			equal = append(equal, l)
		}
		sort.Slice(equal, func(i, j int) bool { return equal[i] < equal[j] })

		groups := map[string][]int{}
		for j, ok := range src {
			if ok {
				k := equalKey(sets[j], equal)
				groups[k] = append(groups[k], j)
			}
		}
		if len(groups) == 0 {
			continue
		}
		tgt := memo.all(r.TargetMatchers)
		for i, ok := range tgt {
			if !ok {
				continue
			}
			for _, j := range groups[equalKey(sets[i], equal)] {
				if j == i || (src[i] && tgt[j]) {
					continue
				}
				out[i] = append(out[i], j)
			}
		}
	}
	for i, js := range out {
		sort.Ints(js)
		out[i] = compactInts(js)
	}
	return out
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

// matcherMemo evaluates each distinct matcher (by its canonical text) over
// every label set once.
type matcherMemo struct {
	sets    []prommodel.LabelSet
	results map[string][]bool
}

// all reports, per label set, whether every matcher of ms matches it.
func (m matcherMemo) all(ms labels.Matchers) []bool {
	out := make([]bool, len(m.sets))
	for i := range out {
		out[i] = true
	}
	for _, mt := range ms {
		key := mt.String()
		res, ok := m.results[key]
		if !ok {
			res = make([]bool, len(m.sets))
			for i, ls := range m.sets {
				res[i] = mt.Matches(string(ls[prommodel.LabelName(mt.Name)]))
			}
			m.results[key] = res
		}
		for i, r := range res {
			out[i] = out[i] && r
		}
	}
	return out
}
