package review

import (
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// REVIEW.md says when the stack is HA and where its queries run.
func TestReviewNamesHA(t *testing.T) {
	noThanos := spectest.HA(t, "")
	noThanos.HA.Thanos = false
	for _, tc := range []struct {
		name string
		st   *model.Stack
		want string // "" wants no HA line
	}{
		{"single", spectest.Repo(t, ""), ""},
		{"ha with thanos", spectest.HA(t, ""), "- HA: 2 Prometheus replicas (external label `replica`, dropped from alerts) sending to a cluster of 3 Alertmanagers; the queries below run on Thanos Query (port 10904)"},
		{"ha without thanos", noThanos, "; the queries below run on any replica\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Summarize(tc.st, prior(t, tc.st))
			if err != nil {
				t.Fatal(err)
			}
			md := string(Markdown(s))
			if tc.want == "" {
				if strings.Contains(md, "- HA:") {
					t.Errorf("a single stack's review has an HA line")
				}
				return
			}
			if !strings.Contains(md, tc.want) {
				t.Errorf("review lacks %q", tc.want)
			}
		})
	}
}
