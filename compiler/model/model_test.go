package model

import (
	"encoding/json"
	"reflect"
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

// TestCloneIsDeep rewrites a clone the way Compose and the demo do and
// checks the original keeps its values.
func TestCloneIsDeep(t *testing.T) {
	st := &Stack{
		Network:  Network{BindAddress: "127.0.0.1"},
		Services: []Service{{Name: "shop", Port: 8080, Targets: []string{"127.0.0.1:8080"}}},
		Alerting: Alerting{Receivers: []Receiver{{Name: "r", Type: Webhook, URL: "http://127.0.0.1:9095/r"}}},
	}
	c, err := st.Clone()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, st) {
		t.Fatalf("clone differs:\n%+v\n%+v", c, st)
	}
	c.Network.BindAddress = "0.0.0.0"
	c.Services[0].Targets[0] = "shop:8080"
	c.Alerting.Receivers[0].URL = "http://inbox:9095/r"
	if st.Network.BindAddress != "127.0.0.1" || st.Services[0].Targets[0] != "127.0.0.1:8080" || st.Alerting.Receivers[0].URL != "http://127.0.0.1:9095/r" {
		t.Errorf("rewriting the clone changed the original: %+v", st)
	}
}
