//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qabot/qabot/rag/ragtest"
)

// TestMain lets a test run this binary as qabot itself, to signal a real
// process: the arguments after "--" are qabot's.
func TestMain(m *testing.M) {
	if i := slices.Index(os.Args, "--"); i > 0 && os.Getenv("RUN_AS_QABOT") == "1" {
		os.Args = append([]string{"qabot"}, os.Args[i+1:]...)
		main()
	}
	os.Exit(m.Run())
}

// SIGTERM stops an ingest within a second, even in the middle of a
// document that takes long to read, and the index it was replacing stays
// live.
func TestSignalStopsIngest(t *testing.T) {
	data := setup(t)
	corpus := ingested(t, data)
	os.WriteFile(filepath.Join(corpus, "bomb.pdf"), ragtest.FlatePDF(60<<20), 0o644)
	os.WriteFile(filepath.Join(corpus, "farm.txt"), []byte("小麦丰收的报道\n今年小麦亩产达到六百公斤。"), 0o644)

	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", corpus)
	cmd.Env = append(os.Environ(), "RUN_AS_QABOT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("the ingest ended before the signal (%v): %s", err, stderr.String())
	case <-time.After(1500 * time.Millisecond): // into the PDF, which takes seconds
	}
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		if took := time.Since(sent); took > time.Second {
			t.Errorf("stopped %s after SIGTERM", took)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 10 s after SIGTERM: %s", stderr.String())
	}
	if cmd.ProcessState.Success() {
		t.Errorf("an interrupted ingest exits 0: %s", stderr.String())
	}
	r := qabot(t, data, "", "ask", "新能源汽车销量怎么样?")
	if r.code != 0 || !strings.Contains(r.stdout, "销量增长很快") || strings.Contains(r.stderr, "indexing") {
		t.Errorf("the old index after the signal: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// ingested is a folder of articles, ingested into data's default
// collection: cars.txt, about car sales.
func ingested(t *testing.T, data string) string {
	t.Helper()
	corpus := t.TempDir()
	os.WriteFile(filepath.Join(corpus, "cars.txt"), []byte("新能源汽车的报道\n新能源汽车销量增长很快。工厂扩大了产能。"), 0o644)
	if r := qabot(t, data, "", "ingest", corpus); r.code != 0 {
		t.Fatal(r.stderr)
	}
	return corpus
}
