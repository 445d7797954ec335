package alertmanager

import (
	"bytes"
	"context"
	"os/exec"
	"time"
)

// runTool runs a pinned tool binary with a deadline and returns its
// combined output.
func runTool(bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}
