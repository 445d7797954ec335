package main

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/demoapp/loadgen"
	"github.com/stackc/stackc/out/metrics"
	"github.com/stackc/stackc/tools"
)

// TestEveryServiceOfAnySpec builds a multi-service spec without a shop
// (testdata/anyspec.jsonnet) into out/ of a copy of the repository, runs
// `go build ./...` there, and serves every service of it with the demo app
// built from that copy: every endpoint answers with its handler (no 404, no
// 5xx) and is counted under its own name, and each /metrics passes
// promtool check metrics.
func TestEveryServiceOfAnySpec(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the repository and runs servers")
	}
	promtool, err := tools.Built("promtool")
	if err != nil {
		t.Fatal(err)
	}
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	copyRepo(t, root, repo)
	set, res, err := build.CompileFile("testdata/anyspec.jsonnet", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := build.Write(filepath.Join(repo, "out"), set); err != nil {
		t.Fatal(err)
	}
	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s with another spec in out/: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	goCmd("build", "./...")
	bin := filepath.Join(t.TempDir(), "demoapp")
	goCmd("build", "-o", bin, "./demoapp")

	for _, svc := range res.Stack.Services {
		t.Run(svc.Name, func(t *testing.T) {
			base, _, logs := serveBinary(t, bin, "serve", "--service", svc.Name, "--listen", "127.0.0.1:0",
				"--admin-listen", "127.0.0.1:0", "--latency-scale", "0", "--no-errors")
			for _, ep := range svc.Endpoints {
				req, err := http.NewRequest(ep.Method, base+loadgen.Path(ep.Route), nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 400 {
					t.Errorf("%s %s (%s): %s\n%s", ep.Method, ep.Route, ep.Name, resp.Status, logs)
				}
			}
			resp, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, ep := range svc.Endpoints {
				counted := regexp.MustCompile(`(?m)^http_requests_total\{code="2\w\w",endpoint="` + ep.Name + `",method="` + ep.Method + `"\} 1$`)
				if !counted.Match(body) {
					t.Errorf("%s is not counted once under its name", ep.Name)
				}
			}
			for _, m := range svc.Metrics {
				if !bytes.Contains(body, []byte("\n# TYPE "+m.Name+" ")) {
					t.Errorf("business metric %s is not exported", m.Name)
				}
			}
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(body)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("promtool check metrics: %v\n%s\n%s", err, out, body)
			}
		})
	}
}

// copyRepo copies the repository without its hidden directories (.git,
// .cache), test data and out/, which the test writes.
func copyRepo(t *testing.T, root, dst string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch {
			case rel == ".":
				return nil
			case strings.HasPrefix(d.Name(), "."), d.Name() == "testdata", rel == "out":
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// serveBinary starts bin with args, waits (with a deadline) for its
// "serving" log line and returns the public and admin base URLs and its
// logs. The process is stopped when the test ends.
func serveBinary(t *testing.T, bin string, args ...string) (string, string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	logs := &syncBuffer{}
	addr := make(chan []string, 1)
	go func() {
		listen := regexp.MustCompile(`serving .* listen=(\S+) admin=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			if m := listen.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1:]
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a[0], "http://" + a[1], logs
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start serving within 30s:\n%s", bin, logs)
	}
	return "", "", nil
}

// compileCommitted compiles the committed spec (stack.jsonnet at the root
// of the repository, whose root it also returns).
func compileCommitted(t *testing.T) (string, artifact.Set, *spec.Result) {
	t.Helper()
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	set, res, err := build.CompileFile(filepath.Join(root, "stack.jsonnet"), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return root, set, res
}

// TestStackFlagDescribesLikeTheRegistry: the services --stack reads from a
// compiled spec's stack.json are described exactly as the generated
// registry describes them, and an unknown service names the known ones.
func TestStackFlagDescribesLikeTheRegistry(t *testing.T) {
	_, set, _ := compileCommitted(t)
	path := filepath.Join(t.TempDir(), "stack.json")
	if err := os.WriteFile(path, set["stack.json"], 0o644); err != nil {
		t.Fatal(err)
	}
	fromStack, err := loadServices(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromStack, metrics.Services) {
		t.Errorf("stack.json describes\n%+v\nthe registry\n%+v", fromStack, metrics.Services)
	}
	sel := &serviceSelector{service: "nope", stack: path}
	if _, err := sel.lookup(); err == nil || !strings.Contains(err.Error(), `unknown service "nope"`) {
		t.Errorf("lookup of an unknown service: %v", err)
	}
}
