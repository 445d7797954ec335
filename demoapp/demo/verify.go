package demo

import (
	"context"
	"fmt"

	"github.com/stackc/stackc/compiler/verify"
)

// Verify runs stackc verify's check against every running service's
// /metrics: problems holds one line per broken promise (none: every
// service keeps its contract with the spec), summaries one line per
// service. err is for a fetch or parse failure.
func (s *Stack) Verify(ctx context.Context) (problems, summaries []string, err error) {
	for _, svc := range s.Services {
		url := svc.URL + "/metrics"
		data, contentType, err := verify.Fetch(ctx, url, verify.DefaultTimeout, verify.DefaultMaxBytes)
		if err != nil {
			return nil, nil, err
		}
		exp, err := verify.Parse(data, contentType)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", url, err)
		}
		r, err := verify.Check(s.Model, svc.Name, exp)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range r.Problems {
			problems = append(problems, r.Line(p))
		}
		summaries = append(summaries, r.Summary(url))
	}
	return problems, summaries, nil
}
