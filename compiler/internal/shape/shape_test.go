package shape

import (
	"errors"
	"testing"
)

func TestKey(t *testing.T) {
	for _, tt := range []struct {
		a, b   string
		na, nb []string
		same   bool
	}{
		{`slo="a-b",service="svc1"`, `slo="x-y",service="svc2"`, []string{"svc1", "a-b"}, []string{"svc2", "x-y"}, true},
		// svc1 inside svc10 does not split the longer name.
		{`svc10 svc1`, `svc20 svc2`, []string{"svc1", "svc10"}, []string{"svc2", "svc20"}, true},
		{`x > 0.999`, `x > 0.99`, []string{"s"}, []string{"s"}, false},
		// Two roles with the same name in one file are not the shape of two different names.
		{`a b`, `a a`, []string{"a", "b"}, []string{"a", "a"}, false},
		{`shop`, `shop`, []string{"", "shop"}, []string{"", "shop"}, true},
	} {
		if got := Key([]byte(tt.a), tt.na...) == Key([]byte(tt.b), tt.nb...); got != tt.same {
			t.Errorf("Key(%q, %q) == Key(%q, %q): %v, want %v", tt.a, tt.na, tt.b, tt.nb, got, tt.same)
		}
	}
}

func TestMemoChecksEachShapeUntilItPasses(t *testing.T) {
	var m Memo
	runs := 0
	ok := func() error { runs++; return nil }
	boom := errors.New("boom")
	for _, k := range []string{"a", "a", "b", "a", "b"} {
		if err := m.Check(k, ok); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 2 || m.Checked != 2 || m.Skipped != 3 {
		t.Errorf("runs %d, checked %d, skipped %d; want 2, 2, 3", runs, m.Checked, m.Skipped)
	}
	// A failed check is not remembered: the next file of that shape runs it again.
	for range 2 {
		if err := m.Check("c", func() error { runs++; return boom }); !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
	}
	if runs != 4 {
		t.Errorf("a failing shape ran %d times, want 2 more", runs-2)
	}
}
