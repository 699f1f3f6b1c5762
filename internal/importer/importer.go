package importer

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// Options say what a run reads and how it loads.
type Options struct {
	Source           string // a file or a directory
	DryRun           bool   // check everything, write nothing
	Strict           bool   // stop at the first decision with a problem
	By               string // who runs the import, for the provenance and the audit trail
	Blobs            *blobstore.Store
	MaxDocumentBytes int64
	// Batch is how many decisions one transaction loads: each decision is still all or
	// nothing, as a batch the database refuses is loaded again one decision a transaction.
	Batch int
	// Workers is how many batches load at once (each on its own connection); 0: DefaultWorkers.
	Workers  int
	Now      func() time.Time
	Progress func(done, total int) // after each batch, when set
}

// Result is what a run found and did.
type Result struct {
	Read      int       // decisions read
	Imported  int       // added (a dry run: would be added)
	Unchanged int       // already held as the source has them
	Refused   int       // decisions not imported for their problems
	Pending   int       // links waiting for decisions not yet held, after the run
	Problems  []Problem // every problem, by place
	Stopped   bool      // --strict stopped the run at a problem
	RunID     int64     // the run's record (0 for a dry run)
}

// DefaultBatch is the decisions one transaction loads when Options do not say.
const DefaultBatch = 500

// DefaultWorkers is how many batches load at once when Options do not say: most of a batch's
// time is PostgreSQL indexing it for search, which two connections do side by side.
const DefaultWorkers = 2

// Run imports what o.Source holds into st.
func Run(ctx context.Context, st *store.Store, o Options) (Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Batch < 1 {
		o.Batch = DefaultBatch
	}
	if o.Workers < 1 {
		o.Workers = DefaultWorkers
	}
	if o.MaxDocumentBytes < 1 {
		o.MaxDocumentBytes = 50 << 20
	}
	if o.By == "" {
		o.By = "decisions import"
	}
	at := o.Now()
	recs, fileProblems, err := readSource(o.Source)
	if err != nil {
		return Result{}, fmt.Errorf("import: %w", err)
	}
	res := Result{Read: len(recs)}
	all := checkAll(ctx, recs, o.MaxDocumentBytes, at)
	checkDuplicates(all)
	checkLoops(all)
	if err := checkHeld(ctx, st, all, &res); err != nil {
		return Result{}, err
	}
	res.Problems = append(res.Problems, fileProblems...)
	for _, c := range all {
		res.Problems = append(res.Problems, c.problems...)
	}
	sortProblems(res.Problems)

	var todo []*checked
	for _, c := range all {
		switch {
		case c.unchanged:
		case len(c.problems) > 0:
			if o.Strict {
				res.Stopped = true
			}
			res.Refused++
		case !res.Stopped:
			todo = append(todo, c)
		}
	}
	if o.Strict && len(fileProblems) > 0 {
		res.Stopped, todo = true, nil
	}
	if o.DryRun {
		res.Imported = len(todo)
		return res, nil
	}
	run, err := st.StartImportRun(ctx, o.Source, o.By, at)
	if err != nil {
		return res, err
	}
	res.RunID = run.ID
	if err := loadAll(ctx, st, o, run, todo, &res); err != nil {
		return res, err
	}
	// Batches loaded side by side could not see each other's decisions.
	if err := st.ResolvePendingLinks(ctx); err != nil {
		return res, err
	}
	sortProblems(res.Problems)
	counts := store.ImportCounts{Imported: res.Imported, Unchanged: res.Unchanged, Refused: res.Refused}
	if err := st.FinishImportRun(ctx, run, counts, o.Now()); err != nil {
		return res, err
	}
	if res.Pending, err = st.PendingLinks(ctx); err != nil {
		return res, fmt.Errorf("pending links: %w", err)
	}
	return res, nil
}

// checkAll checks the records side by side, a goroutine a core: decoding and hashing them
// (under each canonical version until one matches) is most of a run's work outside
// PostgreSQL, 2 s of CPU for 10,000 decisions, which ran on one core before any loading began.
func checkAll(ctx context.Context, recs []record, maxBytes int64, at time.Time) []*checked {
	all := make([]*checked, len(recs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(recs); i = int(next.Add(1) - 1) {
				if recs[i].json != nil {
					all[i] = checkJSON(ctx, recs[i], maxBytes)
				} else {
					all[i] = checkCSV(ctx, recs[i], maxBytes, at)
				}
			}
		})
	}
	wg.Wait()
	return all
}

// loadAll loads todo in batches, o.Workers at once, and stops at the first error.
func loadAll(ctx context.Context, st *store.Store, o Options, run store.ImportRun, todo []*checked, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*checked)
	go func() {
		defer close(batches)
		for start := 0; start < len(todo); start += o.Batch {
			select {
			case batches <- todo[start:min(start+o.Batch, len(todo))]:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	var firstErr error
	done := 0
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Go(func() {
			for batch := range batches {
				var own Result
				n, err := loadBatch(ctx, st, o, run, batch, &own)
				mu.Lock()
				res.Imported += n
				res.Refused += own.Refused
				res.Problems = append(res.Problems, own.Problems...)
				done += len(batch)
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if err == nil && o.Progress != nil {
					o.Progress(done, len(todo))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return firstErr
}

// loadBatch loads a batch in one transaction; if the database refuses it, it loads each
// decision alone, so one bad decision costs only itself.
func loadBatch(ctx context.Context, st *store.Store, o Options, run store.ImportRun, batch []*checked, res *Result) (int, error) {
	var ds []store.ImportedDecision
	var kept []*checked
	for _, c := range batch {
		if err := c.storeBytes(ctx, o.Blobs, o.MaxDocumentBytes); err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			res.Refused++
			res.Problems = append(res.Problems, Problem{File: c.rec.file, Line: c.rec.line, Reference: c.ref, Field: "documents",
				Message: err.Error()})
			continue
		}
		ds, kept = append(ds, c.d), append(kept, c)
	}
	if len(ds) == 0 {
		return 0, nil
	}
	batch = kept
	err := st.LoadImported(ctx, run, ds, o.Now())
	if err == nil {
		return len(batch), nil
	}
	if ctx.Err() != nil || store.IsUnavailable(err) {
		return 0, err
	}
	if len(batch) == 1 {
		c := batch[0]
		res.Refused++
		res.Problems = append(res.Problems, Problem{File: c.rec.file, Line: c.rec.line, Reference: c.ref,
			Message: "the register refused it: " + err.Error()})
		return 0, nil
	}
	n := 0
	for _, c := range batch {
		k, err := loadBatch(ctx, st, o, run, []*checked{c}, res)
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// checkDuplicates refuses every record of a reference given more than once.
func checkDuplicates(all []*checked) {
	by := map[string][]*checked{}
	for _, c := range all {
		if c.d.Ref.Number != 0 {
			by[c.d.Ref.String()] = append(by[c.d.Ref.String()], c)
		}
	}
	for _, cs := range by {
		if len(cs) < 2 {
			continue
		}
		for _, c := range cs {
			var others []string
			for _, o := range cs {
				if o != c {
					others = append(others, place(o.rec))
				}
			}
			c.fail("reference", "duplicate reference: also at %s", strings.Join(others, ", "))
		}
	}
}

func place(r record) string { return r.file + ":" + strconv.Itoa(r.line) }

// checkLoops refuses every record on a loop of continues and varies links among the records:
// a chain of funding decisions runs one way.
func checkLoops(all []*checked) {
	by := map[string]*checked{}
	for _, c := range all {
		if c.d.Ref.Number != 0 {
			by[c.d.Ref.String()] = c
		}
	}
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var path []string
	onLoop := map[string][]string{}
	var visit func(ref string)
	visit = func(ref string) {
		state[ref] = open
		path = append(path, ref)
		for _, l := range by[ref].d.Links {
			if l.Kind == decision.LinkRelated || by[l.Reference] == nil {
				continue
			}
			switch state[l.Reference] {
			case open:
				i := slices.Index(path, l.Reference)
				loop := append(slices.Clone(path[i:]), l.Reference)
				for _, r := range path[i:] {
					onLoop[r] = loop
				}
			case unseen:
				visit(l.Reference)
			}
		}
		path = path[:len(path)-1]
		state[ref] = done
	}
	refs := make([]string, 0, len(by))
	for r := range by {
		refs = append(refs, r)
	}
	slices.Sort(refs)
	for _, r := range refs {
		if state[r] == unseen {
			visit(r)
		}
	}
	for r, loop := range onLoop {
		by[r].fail("links", "link loop: %s", strings.Join(loop, " → "))
	}
}

// checkHeld compares each good record with what the register holds under its reference: the
// same record again is unchanged; a changed one, or a different decision already held, is
// refused and never overwritten.
func checkHeld(ctx context.Context, st *store.Store, all []*checked, res *Result) error {
	var refs []string
	for _, c := range all {
		if len(c.problems) == 0 {
			refs = append(refs, c.d.Ref.String())
		}
	}
	held, err := st.HeldDecisions(ctx, refs)
	if err != nil {
		return err
	}
	for _, c := range all {
		h, ok := held[c.d.Ref.String()]
		if len(c.problems) > 0 || !ok {
			continue
		}
		switch {
		case h.RecordSHA256 != nil && *h.RecordSHA256 == c.d.RecordSHA256:
			c.unchanged = true
		case h.RecordSHA256 != nil:
			c.fail("", "changed at its source since it was imported from %s: the register keeps what it imported and does not overwrite it", deref(h.Source))
		case h.ContentHash != nil && *h.ContentHash == c.d.ContentHash:
			c.unchanged = true
		default:
			c.fail("reference", "the register already holds %s, with other content: not overwritten", c.d.Ref)
		}
		if c.unchanged {
			res.Unchanged++
		}
	}
	return nil
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}

// WriteReport writes problems as CSV: file, line, reference, field, problem.
func WriteReport(w io.Writer, ps []Problem) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"file", "line", "reference", "field", "problem"})
	for _, p := range ps {
		_ = cw.Write([]string{p.File, strconv.Itoa(p.Line), p.Reference, p.Field, p.Message})
	}
	cw.Flush()
	return cw.Error()
}
