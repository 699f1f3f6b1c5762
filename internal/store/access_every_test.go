package store_test

import (
	"context"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
)

// quokka is a word planted only in Part II sections: one token, so a search for it (or for a
// near spelling, which Suggest may correct) probes the search index as well as the pages.
const quokka = "zanzibarquokka"

// plantPartTwo makes two decisions with a Part II holding quokka: PCD 9401 awaiting sign-off,
// and PCD 9402 signed, published and under correction. It returns their Part II salts, which
// must never leave the store either: with one, a short Part II can be guessed from its hash.
func plantPartTwo(t *testing.T, db *signoffDB, now time.Time) []string {
	t.Helper()
	ctx := context.Background()
	for _, n := range []int{9401, 9402} {
		slug := db.awaiting(n)
		db.exec(`UPDATE sections SET body = body || ' ' || $2 WHERE part = 2 AND decision_id = (SELECT id FROM decisions WHERE slug = $1)`,
			slug, quokka)
	}
	h := db.hash(t, "pcd-9402")
	for _, k := range pcdChain {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now), "pcd-9402", k, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.st.Sign(ctx, db.maker.Act(now), "pcd-9402", store.SignInput{Outcome: "approved", Interests: "none",
		PublishAt: now, SeenHash: h}); err != nil {
		t.Fatal(err)
	}
	if err := db.st.StartCorrection(ctx, db.drafter.Act(now), "pcd-9402", "A typo in the title."); err != nil {
		t.Fatal(err)
	}
	var salts []string
	rows, err := db.pool.Query(ctx, `SELECT part_two_salt FROM decisions WHERE slug IN ('pcd-9401', 'pcd-9402')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		salts = append(salts, s)
	}
	if rows.Err() != nil || len(salts) != 2 || salts[0] == "" {
		t.Fatalf("salts of the planted decisions: %v (%v)", salts, rows.Err())
	}
	return salts
}

// accessArgs are the values tried for each type of argument a read method takes after its
// Access: every combination is called. A method taking a type not listed fails the test, so a
// new read method is either covered or noticed.
func accessArgs(t *testing.T, collect func(string)) map[reflect.Type][]reflect.Value {
	t.Helper()
	values := func(vs ...any) []reflect.Value {
		out := make([]reflect.Value, len(vs))
		for i, v := range vs {
			out[i] = reflect.ValueOf(v)
		}
		return out
	}
	var queries []any
	for _, words := range []string{quokka, quokka[:len(quokka)-1], ""} {
		for _, staff := range []bool{false, true} {
			q, err := search.Parse(search.ParamsOf(url.Values{"q": {words}}), staff)
			if err != nil {
				t.Fatal(err)
			}
			queries = append(queries, q)
		}
	}
	exportRow := reflect.TypeFor[func(store.ExportRow) error]()
	return map[reflect.Type][]reflect.Value{
		// Not quokka itself, which a "not found" error would echo: a near spelling, which
		// Suggest would correct to quokka if the index gave Part II words away.
		reflect.TypeFor[string](): values("pcd-9401", "pcd-9402", "PCD 9401", "PCD 9402", quokka[:len(quokka)-1]),
		reflect.TypeFor[int]():    values(1, 2, 9402, 100),
		// Notices' and decisions' ids (the forward plan's reads).
		reflect.TypeFor[int64]():            values(int64(1), int64(2), int64(9402)),
		reflect.TypeFor[store.PlanFilter](): values(store.PlanFilter{}, store.PlanFilter{Series: "PCD", KeyOnly: true, Withdrawn: true}),
		// FundingEnds' since: long ago, so every planted decision's funding is in range.
		reflect.TypeFor[time.Time]():    values(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)),
		reflect.TypeFor[[]string]():     values([]string{"PCD 9401", "PCD 9402"}),
		reflect.TypeFor[search.Query](): values(queries...),
		reflect.TypeFor[store.ListParams](): values(store.ListParams{Words: quokka, Limit: 100},
			store.ListParams{Reference: "PCD 9402", Limit: 100}, store.ListParams{Limit: 100}),
		// Every organisation the planted decisions may name (the seed's two, and those added).
		reflect.TypeFor[store.OrgRecord](): values(store.OrgRecord{ID: 1, Slug: "a"}, store.OrgRecord{ID: 2, Slug: "b"},
			store.OrgRecord{ID: 3, Slug: "c"}, store.OrgRecord{ID: 4, Slug: "d"}),
		reflect.TypeFor[store.OrgQuery](): values(store.OrgQuery{Limit: 100}, store.OrgQuery{Name: quokka[:4], Limit: 100},
			store.OrgQuery{Sort: store.OrgSortGiven, Limit: 100}),
		reflect.TypeFor[store.OrgPageQuery](): values(store.OrgPageQuery{Limit: 100}, store.OrgPageQuery{Limit: 1}),
		exportRow: {reflect.MakeFunc(exportRow, func(in []reflect.Value) []reflect.Value {
			collect(texts(in[0]))
			return []reflect.Value{reflect.Zero(reflect.TypeFor[error]())}
		})},
	}
}

// TestEveryAccessMethodKeepsPartTwo calls every exported method of *store.Store that takes an
// Access (found by reflection, so a new one cannot be left out) with every combination of the
// planted decisions' slugs, references, numbers and searches for a word only their Part II
// holds. As the public and as a member of staff who is not among Part II's readers, no answer
// (nor error) may hold that word; as anyone, reader or not, none may hold a Part II salt: Part
// II leaves the store only as its hash.
func TestEveryAccessMethodKeepsPartTwo(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	salts := plantPartTwo(t, db, now)
	other, err := db.st.CreateUser(ctx, store.System(now), "other@example.org", "Olly Other", testHash, store.Grants{Roles: []string{"drafter"}})
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	callers := []struct {
		name   string
		acc    store.Access
		reader bool
	}{
		{"the public", store.Public(later), false},
		{"staff outside Part II's readers", store.Staff(other, later), false},
		{"a Part II reader (the drafter)", store.Staff(db.drafter.ID, later), true},
	}
	accessType := reflect.TypeFor[store.Access]()
	st := reflect.ValueOf(db.st)
	methods := 0
	for i := range st.NumMethod() {
		m := st.Type().Method(i)
		fn := st.Method(i)
		if !takes(fn.Type(), accessType) {
			continue
		}
		methods++
		for _, caller := range callers {
			var seen strings.Builder
			args := accessArgs(t, func(s string) { seen.WriteString(s) })
			calls := 0
			for _, in := range combinations(t, m.Name, fn.Type(), args, reflect.ValueOf(ctx), reflect.ValueOf(caller.acc)) {
				for _, out := range fn.Call(in) {
					seen.WriteString(texts(out))
				}
				calls++
			}
			got := seen.String()
			// ExplainSearch's answer is the plan of the caller's own search (an operator's tool,
			// .ci/searchtime), which quotes the words searched for: quokka among them.
			if !caller.reader && strings.Contains(got, quokka) && m.Name != "ExplainSearch" {
				t.Errorf("%s: Part II text reached %s", m.Name, caller.name)
			}
			for _, salt := range salts {
				if strings.Contains(got, salt) {
					t.Errorf("%s: a Part II salt reached %s", m.Name, caller.name)
				}
			}
			t.Logf("%s as %s: %d calls", m.Name, caller.name, calls)
		}
	}
	if methods < 20 {
		t.Errorf("found %d read methods taking an Access, want the 20 or more the store has", methods)
	}
	// The planting works: a reader does see Part II, and the correction still hashes as signed.
	d, err := db.st.DecisionBySlug(ctx, store.Staff(db.drafter.ID, later), "pcd-9401")
	if err != nil || !strings.Contains(dump(d), quokka) {
		t.Errorf("the drafter does not see the planted Part II (%v): the test plants nothing", err)
	}
	c, err := db.st.OpenCorrection(ctx, store.Staff(db.drafter.ID, later), "pcd-9402")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := decision.ContentHash(c.Current), db.signedHash(t, "pcd-9402"); got != want || c.CurrentHash != want {
		t.Errorf("the correction's current content hashes to %s (CurrentHash %s), want the signed %s", got, c.CurrentHash, want)
	}
}

// signedHash is the content hash a decision's signature covers.
func (db *signoffDB) signedHash(t *testing.T, slug string) string {
	t.Helper()
	var h string
	err := db.pool.QueryRow(context.Background(),
		`SELECT g.content_hash FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE d.slug = $1`, slug).Scan(&h)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// takes reports whether a function type has a parameter of type p.
func takes(fn reflect.Type, p reflect.Type) bool {
	for i := range fn.NumIn() {
		if fn.In(i) == p {
			return true
		}
	}
	return false
}

// combinations is every argument list for fn: ctx and acc where it takes them, and each
// combination of args' values for the rest.
func combinations(t *testing.T, name string, fn reflect.Type, args map[reflect.Type][]reflect.Value, ctx, acc reflect.Value) [][]reflect.Value {
	t.Helper()
	out := [][]reflect.Value{nil}
	for i := range fn.NumIn() {
		var choices []reflect.Value
		switch p := fn.In(i); {
		case p == reflect.TypeFor[context.Context]():
			choices = []reflect.Value{ctx}
		case p == acc.Type():
			choices = []reflect.Value{acc}
		default:
			choices = args[p]
			if len(choices) == 0 {
				t.Fatalf("%s takes a %v: add values of it to accessArgs, so the method is called", name, p)
			}
		}
		var next [][]reflect.Value
		for _, prefix := range out {
			for _, c := range choices {
				next = append(next, append(append([]reflect.Value(nil), prefix...), c))
			}
		}
		out = next
	}
	return out
}

// texts is every string and byte slice in v, pointers, slices, maps and struct fields (exported
// or not) followed, and an error's message, joined.
func texts(v reflect.Value) string {
	var b strings.Builder
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if !v.IsValid() || depth > 20 {
			return
		}
		if v.CanInterface() {
			if err, ok := v.Interface().(error); ok && err != nil {
				b.WriteString(err.Error() + "\n")
			}
		}
		switch v.Kind() {
		case reflect.String:
			b.WriteString(v.String() + "\n")
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), depth+1)
			}
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
				b.Write(v.Bytes())
				b.WriteString("\n")
				return
			}
			for i := range v.Len() {
				walk(v.Index(i), depth+1)
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Key(), depth+1)
				walk(it.Value(), depth+1)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), depth+1)
			}
		}
	}
	walk(v, 0)
	return b.String()
}
