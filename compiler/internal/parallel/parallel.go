// Package parallel runs independent pieces of a target's work (one per
// service, one per dashboard) on every core, with results that do not
// depend on scheduling.
package parallel

import (
	"runtime"
	"sync"
)

// Each calls fn(i) for every i in [0, n) on up to GOMAXPROCS goroutines and
// waits for all of them. It returns the error of the lowest i that failed,
// so the error reported is the same on every run; once an error is known,
// higher indices are not started.
func Each(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var (
		mu     sync.Mutex
		next   int
		failed = n // lowest failed index so far
		wg     sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				stop := i >= n || i > failed
				mu.Unlock()
				if stop {
					return
				}
				if err := fn(i); err != nil {
					errs[i] = err
					mu.Lock()
					failed = min(failed, i)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
