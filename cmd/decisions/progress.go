package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// progress draws a progress bar on a terminal, and nothing when the output is a file or a pipe
// (where a bar's redrawing would only be noise in a log).
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return &progress{}
	}
	return &progress{w: w}
}

func (p *progress) show(done, total int) {
	if p.w == nil {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("decisions"),
			progressbar.OptionClearOnFinish())
	}
	_ = p.bar.Set(done)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// phaseProgress reports a command's phases (loading, indexing, ...). On a terminal each phase
// is a bar on one updating line: its name, count, rate and time left. Otherwise (a log, a
// test) it writes a line each tenth of a phase and at its end.
type phaseProgress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	bar   *progressbar.ProgressBar
	name  string // the phase's name on the bar: "loading"
	what  string // what a line says was done: "decisions loaded"
	total int
	next  int
	start time.Time
}

func newPhaseProgress(w io.Writer) *phaseProgress {
	f, ok := w.(*os.File)
	return &phaseProgress{w: w, tty: ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))}
}

// begin starts a phase of total units: phase names it on the bar, unit names its units, and
// what is a line's words for them done.
func (p *phaseProgress) begin(phase, unit, what string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endBar()
	p.name, p.what, p.total, p.next, p.start = phase, what, total, max(total/10, 1), time.Now()
	if p.tty {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(phase),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionShowElapsedTimeOnFinish(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
	}
}

// startedAt dates the phase's start earlier, for a phase that began under another's bar (its
// lines' rate counts from then).
func (p *phaseProgress) startedAt(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start = t
}

// set records that done units of the phase are finished.
func (p *phaseProgress) set(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Set(done)
		return
	}
	if p.tty || (done < p.next && done != p.total) {
		return
	}
	el := time.Since(p.start)
	fmt.Fprintf(p.w, "seed-synthetic: %d of %d %s in %s (%.0f a second)\n",
		done, p.total, p.what, el.Round(100*time.Millisecond), float64(done)/max(el.Seconds(), 0.001))
	p.next = done + max(p.total/10, 1)
}

// printf ends the phase's bar and writes a line of its own.
func (p *phaseProgress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endBar()
	fmt.Fprintf(p.w, format, args...)
}

func (p *phaseProgress) endBar() {
	if p.bar != nil && !p.bar.IsFinished() {
		_ = p.bar.Finish()
	}
	p.bar = nil
}

// bulkPhases name a bulk load's phases (store.BulkProgress) on the bar: the phase, its unit,
// and a line's words for the units done.
var bulkPhases = map[string][3]string{
	"derive":        {"deriving", "ranges", "ranges of decisions' search documents built"},
	"index":         {"indexing", "indexes", "indexes built"},
	"organisations": {"counting", "ranges", "ranges of decisions counted in the organisations' totals"},
	"analyze":       {"analyzing", "tables", "tables' statistics refreshed"},
}

// phase reports how far a bulk load's phase has gone, as a store.BulkProgress.
func (p *phaseProgress) phase(name string, done, total int) {
	words, ok := bulkPhases[name]
	if !ok {
		words = [3]string{name, "steps", name + " steps done"}
	}
	p.mu.Lock()
	started := p.name == words[0]
	p.mu.Unlock()
	if !started || done == 0 {
		p.begin(words[0], words[1], words[2], total)
	}
	p.set(done)
}
