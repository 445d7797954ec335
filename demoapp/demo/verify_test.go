package demo

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/spec"
)

// TestStackVerify: Stack.Verify checks each service's /metrics against the
// model, reporting a good exposition as ok and a broken one line by line.
func TestStackVerify(t *testing.T) {
	const data = "../../compiler/verify/testdata"
	res, err := spec.LoadFile(filepath.Join(data, "verify.jsonnet"), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(data, "registry.txt"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		if r.URL.Path == "/broken/metrics" {
			w.Write([]byte(strings.ReplaceAll(string(good), `payment="paypal"`, `payment="cash"`)))
			return
		}
		w.Write(good)
	}))
	defer srv.Close()

	st := &Stack{Model: res.Stack, Services: []Service{{Name: "shop", URL: srv.URL}}}
	problems, summaries, err := st.Verify(t.Context())
	if err != nil || len(problems) != 0 || len(summaries) != 1 || !strings.Contains(summaries[0], "shop: ok") {
		t.Errorf("good exposition: problems %q, summaries %q, err %v", problems, summaries, err)
	}
	st.Services[0].URL = srv.URL + "/broken"
	problems, _, err = st.Verify(t.Context())
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], `shop_orders_total: label payment has values outside the spec's set: "cash"`) {
		t.Errorf("broken exposition: problems %q, err %v", problems, err)
	}
	st.Services[0].URL = "http://127.0.0.1:1"
	if _, _, err := st.Verify(t.Context()); err == nil {
		t.Error("an unreachable service is no error")
	}
}
