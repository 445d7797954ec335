// Command benchgen writes the benchmark specs of package benchspec:
//
//	benchgen -services 100 -dir DIR
//
// writes DIR/stack.jsonnet (stackc) and DIR/sloth.yaml (Sloth prometheus/v1),
// 10 SLOs per service.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stackc/stackc/compiler/internal/benchspec"
)

func main() {
	services := flag.Int("services", 100, "number of services (10 SLOs each)")
	dir := flag.String("dir", ".", "directory to write stack.jsonnet and sloth.yaml into")
	flag.Parse()
	if *services < 1 {
		fmt.Fprintln(os.Stderr, "benchgen: -services must be at least 1")
		os.Exit(2)
	}
	files := map[string]string{
		"stack.jsonnet": benchspec.Stack(*services),
		"sloth.yaml":    benchspec.Sloth(*services),
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(*dir, name), []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchgen:", err)
			os.Exit(1)
		}
	}
}
