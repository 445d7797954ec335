package model

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{`"300ms"`, 300 * time.Millisecond, `"300ms"`},
		{`"5m"`, 5 * time.Minute, `"5m"`},
		{`"90m"`, 90 * time.Minute, `"1h30m"`},
		{`"30d"`, 30 * 24 * time.Hour, `"30d"`},
		{`"28d"`, 28 * 24 * time.Hour, `"4w"`},
	}
	for _, tt := range tests {
		var d Duration
		if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if time.Duration(d) != tt.want {
			t.Errorf("%s: got %v, want %v", tt.in, time.Duration(d), tt.want)
		}
		out, err := json.Marshal(d)
		if err != nil || string(out) != tt.out {
			t.Errorf("%s: marshals to %s (%v), want %s", tt.in, out, err, tt.out)
		}
	}
	for _, bad := range []string{`5`, `"5 minutes"`, `"-5m"`, `""`, `null`} {
		var d Duration
		if err := json.Unmarshal([]byte(bad), &d); err == nil && bad != `null` {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestBudget(t *testing.T) {
	s := SLO{Objective: 99.9}
	if got := s.Target(); got < 0.998999 || got > 0.999001 {
		t.Errorf("Target = %v", got)
	}
	if got := s.ErrorBudget(); got < 0.000999 || got > 0.001001 {
		t.Errorf("ErrorBudget = %v", got)
	}
}
