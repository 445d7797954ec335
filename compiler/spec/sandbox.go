package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// Limits bound a spec's evaluation. Specs often come from untrusted pull
// requests, and Jsonnet can loop (tail calls run in constant stack) or
// allocate without end; go-jsonnet cannot be interrupted. So a limited
// evaluation runs in a child process — the running executable started
// again, which must call ServeEvaluator first thing in main — that the
// parent kills at the deadline and that stops itself, with a clear
// message, when its heap outgrows Memory (an rlimit backs that up on
// Linux). The child reads nothing itself: it asks the parent for every
// import, and the parent's resolver confines them.
type Limits struct {
	// Timeout bounds the evaluation's wall-clock time.
	Timeout time.Duration
	// Memory bounds the evaluator's heap, in bytes.
	Memory int64
}

// Default limits of `stackc build`: a real spec evaluates in well under
// a second and a few tens of MiB.
const (
	DefaultEvalTimeout = 60 * time.Second
	DefaultEvalMemory  = 1 << 30
)

// evaluatorEnv marks a process started as a spec evaluator; its value is
// the memory limit in bytes.
const evaluatorEnv = "STACKC_SPEC_EVALUATOR"

// memoryExit is the exit code of an evaluator that outgrew its memory limit.
const memoryExit = 3

// childRequest starts an evaluation in the child.
type childRequest struct {
	Path    string `json:"path"`
	Src     []byte `json:"src"`
	Profile string `json:"profile"`
}

// childMessage is what the child writes: an import it needs, or the result.
type childMessage struct {
	Op       string    `json:"op"` // "import" or "result"
	From     string    `json:"from,omitempty"`
	Path     string    `json:"path,omitempty"`
	JSON     string    `json:"json,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	Err      string    `json:"err,omitempty"`
}

// importReply answers an import request.
type importReply struct {
	FoundAt string `json:"foundAt"`
	Data    []byte `json:"data"`
	Err     string `json:"err,omitempty"`
}

// ServeEvaluator turns this process into a spec evaluator when its parent
// started it as one (see Limits) and exits when the evaluation is done;
// otherwise it returns at once. Call it first in main (and in TestMain of
// tests that run limited evaluations in the test binary).
func ServeEvaluator() {
	v := os.Getenv(evaluatorEnv)
	if v == "" {
		return
	}
	memory, err := strconv.ParseInt(v, 10, 64)
	if err != nil || memory <= 0 {
		fmt.Fprintf(os.Stderr, "stackc evaluator: bad %s=%q\n", evaluatorEnv, v)
		os.Exit(2)
	}
	os.Exit(serveEvaluator(memory, os.Stdin, os.Stdout))
}

func serveEvaluator(memory int64, in io.Reader, out io.Writer) int {
	limitMemory(memory)
	go watchMemory(memory)
	dec := json.NewDecoder(in)
	enc := json.NewEncoder(out)
	var req childRequest
	if err := dec.Decode(&req); err != nil {
		fmt.Fprintf(os.Stderr, "stackc evaluator: reading the request: %v\n", err)
		return 2
	}
	fetch := func(importedFrom, importedPath string) (string, []byte, error) {
		if err := enc.Encode(childMessage{Op: "import", From: importedFrom, Path: importedPath}); err != nil {
			return "", nil, err
		}
		var rep importReply
		if err := dec.Decode(&rep); err != nil {
			return "", nil, err
		}
		if rep.Err != "" {
			return "", nil, errors.New(rep.Err)
		}
		return rep.FoundAt, rep.Data, nil
	}
	res := childMessage{Op: "result"}
	data, err := evaluateWith(req.Path, req.Src, req.Profile, fetch)
	var specErr *Error
	switch {
	case errors.As(err, &specErr):
		res.Problems = specErr.Problems
	case err != nil:
		res.Err = err.Error()
	default:
		res.JSON = string(data)
	}
	if err := enc.Encode(res); err != nil {
		return 2
	}
	return 0
}

// watchMemory ends the evaluator once its heap outgrows memory. The Go
// runtime has no hard heap limit; SetMemoryLimit makes it collect harder
// on the way there.
func watchMemory(memory int64) {
	debug.SetMemoryLimit(memory)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && int64(sample[0].Value.Uint64()) > memory {
			fmt.Fprintf(os.Stderr, "stackc evaluator: heap exceeds %d bytes\n", memory)
			os.Exit(memoryExit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// evaluateInChild evaluates the spec in a child evaluator process and
// serves its imports through res.
func evaluateInChild(path string, src []byte, opts Options, res *resolver) ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("starting the spec evaluator: %w", err)
	}
	lim := *opts.Limits
	if lim.Timeout <= 0 {
		lim.Timeout = DefaultEvalTimeout
	}
	if lim.Memory <= 0 {
		lim.Memory = DefaultEvalMemory
	}
	ctx, cancel := context.WithTimeout(context.Background(), lim.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), evaluatorEnv+"="+strconv.FormatInt(lim.Memory, 10))
	var stderr headBuffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the spec evaluator: %w", err)
	}
	enc := json.NewEncoder(stdin)
	dec := json.NewDecoder(stdout)
	var result *childMessage
	if err := enc.Encode(childRequest{Path: path, Src: src, Profile: opts.Profile}); err == nil {
		for {
			var m childMessage
			if err := dec.Decode(&m); err != nil {
				break
			}
			if m.Op == "result" {
				result = &m
				break
			}
			rep := importReply{}
			if m.Op != "import" {
				rep.Err = "unknown request " + strconv.Quote(m.Op)
			} else if foundAt, data, err := res.resolve(m.From, m.Path); err != nil {
				rep.Err = err.Error()
			} else {
				rep.FoundAt, rep.Data = foundAt, data
			}
			if err := enc.Encode(rep); err != nil {
				break
			}
		}
	}
	stdin.Close()
	waitErr := cmd.Wait()
	switch {
	case result != nil && waitErr == nil:
	case ctx.Err() != nil:
		return nil, &Error{Problems: []Problem{{Pos: path,
			Message: fmt.Sprintf("evaluation did not finish within the time limit of %s", lim.Timeout),
			Hint:    "look for a function that calls itself without end; a spec that is just large may raise the limit with --eval-timeout"}}}
	case cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == memoryExit,
		strings.Contains(stderr.String(), "out of memory"), strings.Contains(stderr.String(), "cannot allocate memory"):
		return nil, &Error{Problems: []Problem{{Pos: path,
			Message: fmt.Sprintf("evaluation used more than the memory limit of %d MiB", lim.Memory>>20),
			Hint:    "look for lists or strings that grow without end; a spec that is just large may raise the limit with --eval-memory"}}}
	default:
		return nil, fmt.Errorf("the spec evaluator failed (%v): %s", waitErr, strings.TrimSpace(stderr.String()))
	}
	if len(result.Problems) > 0 {
		return nil, &Error{Problems: result.Problems}
	}
	if result.Err != "" {
		return nil, errors.New(result.Err)
	}
	return []byte(result.JSON), nil
}

// headBuffer keeps the first 16 KiB written to it: a crashing evaluator
// can print a long stack trace, and only its first lines matter.
type headBuffer struct{ b bytes.Buffer }

const headBufferMax = 16 << 10

func (t *headBuffer) Write(p []byte) (int, error) {
	if t.b.Len()+len(p) <= headBufferMax {
		t.b.Write(p)
	}
	return len(p), nil
}

func (t *headBuffer) String() string { return t.b.String() }
