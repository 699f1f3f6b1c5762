// Command testdone checks that a test run finished: every package it was given reported a result
// in the run's `go test -json` stream (gotestsum's --jsonfile). A runner killed by a signal can
// still exit 0 (`go tool` does when its tool dies by one), and a test process killed mid-run
// leaves packages with no result; either way the run did not pass, and testdone says which
// packages never finished.
//
//	go run ./.ci/testdone [-times N] FILE.json PACKAGE...
//
// With -times N it also prints each package's time and the N longest tests (.ci/test's
// TEST_TIMES), longest first, as docs/testing.md records them.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
}

// result is what a run reported: each package's final action and time, and each test's.
type result struct {
	packages map[string]event
	tests    []event
}

func read(r io.Reader) (result, error) {
	res := result{packages: map[string]event{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			// A line cut short by a killed writer: what came before still counts.
			continue
		}
		switch e.Action {
		case "pass", "fail", "skip":
		default:
			continue
		}
		if e.Test == "" {
			res.packages[e.Package] = e
		} else {
			res.tests = append(res.tests, e)
		}
	}
	return res, sc.Err()
}

// unfinished lists the packages of want that reported no result, and those that failed.
func (res result) unfinished(want []string) (missing, failed []string) {
	for _, p := range want {
		e, ok := res.packages[p]
		switch {
		case !ok:
			missing = append(missing, p)
		case e.Action == "fail":
			failed = append(failed, p)
		}
	}
	return missing, failed
}

func (res result) printTimes(w io.Writer, n int) {
	var pkgs []event
	for _, e := range res.packages {
		pkgs = append(pkgs, e)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Elapsed > pkgs[j].Elapsed })
	fmt.Fprintln(w, "packages, longest first:")
	for _, e := range pkgs {
		if e.Action != "skip" {
			fmt.Fprintf(w, "%8.1f s  %s\n", e.Elapsed, e.Package)
		}
	}
	// Subtests are counted in their parent; a parent's time includes them.
	var tests []event
	for _, e := range res.tests {
		if !strings.Contains(e.Test, "/") {
			tests = append(tests, e)
		}
	}
	sort.Slice(tests, func(i, j int) bool { return tests[i].Elapsed > tests[j].Elapsed })
	fmt.Fprintf(w, "the %d longest tests:\n", n)
	for i, e := range tests {
		if i == n {
			break
		}
		fmt.Fprintf(w, "%8.1f s  %s %s\n", e.Elapsed, strings.TrimPrefix(e.Package, "github.com/decision-register/decisions/"), e.Test)
	}
}

func main() {
	times := flag.Int("times", 0, "also print package times and the `N` longest tests")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: testdone [-times N] FILE.json PACKAGE...")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "testdone:", err)
		os.Exit(1)
	}
	res, err := read(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testdone: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	if *times > 0 {
		res.printTimes(os.Stdout, *times)
	}
	missing, failed := res.unfinished(flag.Args()[1:])
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "testdone: %d package(s) failed: %s\n", len(failed), strings.Join(failed, " "))
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "testdone: the run did not finish: %d package(s) reported no result (a test process or the runner was killed?): %s\n",
			len(missing), strings.Join(missing, " "))
	}
	if len(missing)+len(failed) > 0 {
		os.Exit(1)
	}
}
