package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunDispatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"help"}, exitOK, "Usage:"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"unknown service", []string{"serve", "--service", "nope"}, exitUsage, "unknown service"},
		{"serve stray argument", []string{"serve", "extra"}, exitUsage, "unexpected arguments"},
		{"load bad rps", []string{"load", "--rps", "0", "--target", "http://127.0.0.1:1"}, exitUsage, "rps"},
		{"healthcheck down", []string{"healthcheck", "--url", "http://127.0.0.1:1/readyz"}, exitFailure, "healthcheck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String()+stderr.String(), tc.want) {
				t.Errorf("exit %d, output %q %q; want %d and %q", code, &stdout, &stderr, tc.code, tc.want)
			}
		})
	}
}

func TestHealthcheckAndLoadAgainstRunningApp(t *testing.T) {
	r := start(t, shopService(t), noSim)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "--url", r.base + "/readyz"}, &stdout, &stderr); code != exitOK {
		t.Errorf("healthcheck: exit %d, %s", code, &stderr)
	}
	stdout.Reset()
	code := run(context.Background(), []string{"load", "--target", r.base, "--rps", "500", "--duration", "1h", "--max-requests", "60"}, &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "sent 60 requests (0 without answer") {
		t.Errorf("load: exit %d\n%s%s", code, &stdout, &stderr)
	}
}
