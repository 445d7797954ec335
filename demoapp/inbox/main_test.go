package inbox

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

func TestMainFlags(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"--keep", "0"}, 2},
		{[]string{"--max-bytes", "-1"}, 2},
		{[]string{"--nope"}, 2},
		{[]string{"extra"}, 2},
		{[]string{"--help"}, 0},
		{[]string{"--listen", "256.0.0.1:1"}, 1},
		{[]string{"--allow-host", "inbox:9095"}, 2},
		{[]string{"--allow-host", ""}, 2},
		{[]string{"--allow-host", "inbox", "--listen", "256.0.0.1:1"}, 1},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		if got := Main(context.Background(), tt.args, io.Discard, &stderr); got != tt.want {
			t.Errorf("Main(%q) = %d, want %d; stderr:\n%s", tt.args, got, tt.want, stderr.String())
		}
	}
}

func TestMainServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--listen", "127.0.0.1:0", "--keep", "5"}, io.Discard, pw)
		pw.Close()
	}()
	// The first log line says where the inbox listens.
	urlRE := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/)`)
	sc := bufio.NewScanner(pr)
	var base string
	for sc.Scan() {
		if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatal("Main did not log its address")
	}
	go io.Copy(io.Discard, pr)
	resp, err := http.Get(base + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("Main returned %d after cancel, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Main did not stop after its context was cancelled")
	}
}

// TestDefaultListenMatchesSpec keeps the inbox's default address in step
// with the spec: the default inbox port, and every webhook receiver of
// stack.jsonnet that points at the local inbox.
func TestDefaultListenMatchesSpec(t *testing.T) {
	st := spectest.Repo(t, "")
	if want := net.JoinHostPort(st.Network.BindAddress, strconv.Itoa(st.Network.InboxPort)); want != DefaultListen {
		t.Errorf("DefaultListen = %s, the spec's inbox is at %s", DefaultListen, want)
	}
	webhooks := 0
	for _, r := range st.Alerting.Receivers {
		if r.Type != model.Webhook || r.URL == "" {
			continue
		}
		u, err := url.Parse(r.URL)
		if err != nil {
			t.Fatalf("receiver %s: %v", r.Name, err)
		}
		if u.Host == DefaultListen {
			webhooks++
		}
	}
	if webhooks == 0 {
		t.Errorf("no webhook receiver of stack.jsonnet posts to %s", DefaultListen)
	}
}
