// Package shape lets a target run an expensive self-check once per distinct
// shape of generated file instead of once per file. Two files have the same
// shape when their text is the same after each name of the spec that went
// into them (service, SLO, endpoint, team, ...) is replaced by a
// placeholder for its role. Names are validated by the spec loader to a
// few character classes, so a file that differs from a checked one only by
// exchanging names in the same places passes the same parser checks.
package shape

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Key returns the shape of data: data with every occurrence of names[i]
// replaced by a placeholder numbered i. Longer names are replaced first, so
// a name inside another ("svc1" in "svc10") does not split it; empty names
// are ignored.
func Key(data []byte, names ...string) string {
	order := make([]int, 0, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		if n != "" && !seen[n] {
			seen[n] = true
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(names[b]) - len(names[a]) })
	// One pass: at each position the replacer tries the names in argument
	// order, i.e. longest first.
	pairs := make([]string, 0, 2*len(order))
	for _, i := range order {
		pairs = append(pairs, names[i], "\x00"+strconv.Itoa(i)+"\x00")
	}
	return strings.NewReplacer(pairs...).Replace(string(data))
}

// Memo remembers the shapes that passed a check. It is safe for
// concurrent use.
type Memo struct {
	mu     sync.Mutex
	passed map[string]bool
	// Checked and Skipped count the checks run and saved.
	Checked, Skipped int
}

// Check runs check unless a file of the same shape passed it before.
func (m *Memo) Check(key string, check func() error) error {
	m.mu.Lock()
	if m.passed[key] {
		m.Skipped++
		m.mu.Unlock()
		return nil
	}
	m.mu.Unlock()
	if err := check(); err != nil {
		return err
	}
	m.mu.Lock()
	if m.passed == nil {
		m.passed = map[string]bool{}
	}
	m.passed[key] = true
	m.Checked++
	m.mu.Unlock()
	return nil
}
