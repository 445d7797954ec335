package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestRunReportsAPortInUse(t *testing.T) {
	for _, tc := range []struct {
		mode  string
		inUse bool
	}{
		{"inuse", true},
		{"broken", false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
				t.Fatal(err)
			}
			s := &Stack{Dir: dir, opts: Options{Status: io.Discard}}
			t.Cleanup(s.Close)
			t.Setenv("STACKC_DEMO_HELPER", tc.mode)
			// Port 1 answers nothing, so only the exit ends the wait.
			err := s.run(context.Background(), tc.mode, os.Args[0], nil, "http://127.0.0.1:1/ready")
			if err == nil {
				t.Fatal("a server that exited at once was ready")
			}
			if got := errors.Is(err, errAddrInUse); got != tc.inUse {
				t.Errorf("errors.Is(err, errAddrInUse) = %v, want %v; err: %v", got, tc.inUse, err)
			}
		})
	}
}

func TestRetryPorts(t *testing.T) {
	inUse := fmt.Errorf("prometheus exited: %w", errAddrInUse)
	other := errors.New("bad config")
	for _, tc := range []struct {
		name      string
		results   []error
		wantCalls int
		wantErr   error
	}{
		{"first try", []error{nil}, 1, nil},
		{"port lost once", []error{inUse, nil}, 2, nil},
		{"port lost every time", []error{inUse, inUse, inUse, nil}, 3, errAddrInUse},
		{"other errors are not retried", []error{other, nil}, 1, other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			calls := 0
			s, err := retryPorts(3, func() (*Stack, error) {
				err := tc.results[calls]
				calls++
				// Each try finds fresh server data.
				data := filepath.Join(dir, "data")
				if _, err := os.Stat(filepath.Join(data, "stale")); err == nil {
					t.Error("a retry found the failed try's server data")
				}
				if err := os.MkdirAll(data, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(data, "stale"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				return &Stack{Dir: dir, opts: Options{Status: io.Discard}}, err
			})
			if s != nil {
				defer s.Close()
			}
			if calls != tc.wantCalls {
				t.Errorf("%d tries, want %d", calls, tc.wantCalls)
			}
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}
