package main

import (
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
)

// The demo watches the Alertmanager for the resolve only when none of the
// page's receivers would notify it.
func TestSendsResolved(t *testing.T) {
	st := &model.Stack{Alerting: model.Alerting{Receivers: []model.Receiver{
		{Name: "quiet", SendResolved: false},
		{Name: "loud", SendResolved: true},
	}}}
	tests := []struct {
		receivers []string
		want      bool
	}{
		{[]string{"quiet"}, false},
		{[]string{"loud"}, true},
		{[]string{"quiet", "loud"}, true},
		{[]string{"unknown"}, false},
	}
	for _, tt := range tests {
		if got := sendsResolved(st, tt.receivers); got != tt.want {
			t.Errorf("sendsResolved(%v) = %v, want %v", tt.receivers, got, tt.want)
		}
	}
}

func TestPageTimeout(t *testing.T) {
	tests := []struct{ bound, want time.Duration }{
		{15 * time.Second, 2 * time.Minute},
		{time.Minute, 4 * time.Minute},
	}
	for _, tt := range tests {
		if got := pageTimeout(tt.bound); got != tt.want {
			t.Errorf("pageTimeout(%s) = %s, want %s", tt.bound, got, tt.want)
		}
	}
}
