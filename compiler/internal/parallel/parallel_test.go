package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestEachRunsEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100} {
		seen := make([]atomic.Int32, n)
		if err := Each(n, func(i int) error { seen[i].Add(1); return nil }); err != nil {
			t.Fatal(err)
		}
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Errorf("n=%d: index %d ran %d times", n, i, got)
			}
		}
	}
}

func TestEachReportsTheLowestFailure(t *testing.T) {
	for range 20 {
		err := Each(50, func(i int) error {
			if i == 13 || i == 31 || i == 49 {
				return fmt.Errorf("fail %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "fail 13" {
			t.Fatalf("got %v, want fail 13", err)
		}
	}
	boom := errors.New("boom")
	if err := Each(1, func(int) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("single: %v", err)
	}
}
