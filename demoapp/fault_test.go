package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stackc/stackc/demoapp/fault"
)

func post(t *testing.T, url, cart string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Cart-ID", cart)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestFaultInjection injects a 100% error fault into checkout through the
// admin API, sees every checkout fail with 503 while other endpoints work,
// and clears it.
func TestFaultInjection(t *testing.T) {
	r := start(t, shopService(t), noSim)
	c := fault.Client{Base: r.admin}
	ctx := context.Background()
	if _, err := c.Set(ctx, "checkout", fault.Request{ErrorRate: 1, For: "10m"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if code := post(t, r.base+"/checkout", "f"); code != http.StatusServiceUnavailable {
			t.Fatalf("checkout under a 100%% fault: %d, want 503", code)
		}
	}
	if code := post(t, r.base+"/cart/items", "f"); code != http.StatusCreated {
		t.Errorf("add_to_cart beside the fault: %d, want 201", code)
	}
	l, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Faults) != 1 || l.Faults[0].Endpoint != "checkout" || l.Faults[0].ErrorRate != 1 || l.Faults[0].Expires == "" {
		t.Errorf("faults = %+v, want checkout at 1 with an expiry", l.Faults)
	}
	if err := c.Clear(ctx, "checkout"); err != nil {
		t.Fatal(err)
	}
	if code := post(t, r.base+"/checkout", "f"); code != http.StatusCreated {
		t.Errorf("checkout after clearing: %d, want 201", code)
	}
	if _, err := c.Set(ctx, "nope", fault.Request{ErrorRate: 1}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("fault on an unknown endpoint: %v, want 404", err)
	}
}

// TestFaultAPINotOnPublicListener checks the public listener does not
// serve the admin API.
func TestFaultAPINotOnPublicListener(t *testing.T) {
	r := start(t, shopService(t), noSim)
	c := fault.Client{Base: r.base}
	if _, err := c.Set(context.Background(), "checkout", fault.Request{ErrorRate: 1}); err == nil {
		t.Fatal("the public listener accepted a fault")
	}
	if code := post(t, r.base+"/checkout", "p"); code == http.StatusServiceUnavailable {
		t.Error("a fault sent to the public listener took effect")
	}
}

func TestFaultLatencyExpires(t *testing.T) {
	r := start(t, shopService(t), noSim)
	c := fault.Client{Base: r.admin}
	if _, err := c.Set(context.Background(), "get_cart", fault.Request{ErrorRate: 1, For: "50ms"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the fault to expire", func() bool {
		resp, _ := get(t, r.base+"/cart", nil)
		return resp.StatusCode == http.StatusOK
	})
	l, err := c.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Faults) != 0 {
		t.Errorf("expired fault still listed: %+v", l.Faults)
	}
}

func TestFaultCLI(t *testing.T) {
	r := start(t, shopService(t), noSim)
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{"inject", []string{"checkout", "--errors", "0.5", "--latency", "200ms", "--for", "10m"}, exitOK, "checkout: 0.5 errors, +200ms latency, until ", ""},
		{"list", nil, exitOK, "checkout: 0.5 errors", ""},
		{"flags first", []string{"--errors", "0.25", "get_cart"}, exitOK, "get_cart: 0.25 errors, +0s latency, until cleared", ""},
		{"clear one", []string{"checkout", "--clear"}, exitOK, "cleared the fault of checkout", ""},
		{"clear all", []string{"--clear"}, exitOK, "cleared every fault", ""},
		{"list empty", nil, exitOK, "no active faults", ""},
		{"unknown endpoint", []string{"nope", "--errors", "1"}, exitFailure, "", "unknown endpoint"},
		{"rate out of range", []string{"checkout", "--errors", "2"}, exitFailure, "", "not between 0 and 1"},
		{"nothing to inject", []string{"checkout"}, exitUsage, "", "give --errors"},
		{"no endpoint", []string{"--errors", "1"}, exitUsage, "", "name the endpoint"},
		{"clear and inject", []string{"checkout", "--clear", "--errors", "1"}, exitUsage, "", "does not go with"},
		{"two endpoints", []string{"checkout", "get_cart", "--errors", "1"}, exitUsage, "", "one endpoint at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"fault", "--admin", r.admin}, tc.args...), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), tc.wantOut) || !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stdout %q (want %q), stderr %q (want %q)", &stdout, tc.wantOut, &stderr, tc.wantErr)
			}
		})
	}
}

func TestServeRefusesPublicAdminListener(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--listen", "127.0.0.1:0", "--admin-listen", "0.0.0.0:0"}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "loopback") {
		t.Errorf("exit %d, stderr %q; want a refusal", code, &stderr)
	}
}
