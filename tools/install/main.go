// Command install builds the pinned tools (promtool, amtool, prometheus,
// alertmanager, thanos) into .cache/bin, or only the ones named (on-demand tools
// such as sloth are built only when named).
package main

import (
	"fmt"
	"os"

	"github.com/stackc/stackc/tools"
)

func main() {
	names := os.Args[1:]
	if len(names) == 0 {
		for _, t := range tools.Pinned {
			if !t.OnDemand {
				names = append(names, t.Name)
			}
		}
	}
	for _, n := range names {
		path, err := tools.Path(n)
		if err != nil {
			fmt.Fprintf(os.Stderr, "install: %v\n", err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}
