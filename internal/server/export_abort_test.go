package server_test

import (
	"io"
	"net/http"
	"testing"
)

// TestExportFailingMidwayIsNotAWholeFile breaks the database under each streamed download
// after its 200 has been decided, and reads the download with a real HTTP client: a transfer
// that ends cleanly would pass half a file off as the whole register.
func TestExportFailingMidwayIsNotAWholeFile(t *testing.T) {
	t.Parallel()
	// Each break lets a few rows (or the 360Giving counts) through, then fails every call:
	// the CSV's financial years are written by financial_year_text, and the 360Giving lines
	// are read through a view of the funding lines whose filter fails once the counts have
	// read them all.
	breaks := map[string]string{
		"/decisions.csv": exportCalls + `
CREATE OR REPLACE FUNCTION financial_year_text(y integer) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	IF export_calls() > 5 THEN RAISE EXCEPTION 'the disk went away'; END IF;
	RETURN y::text || '-' || right((y + 1)::text, 2);
END $$`,
		"/360giving.json": threeSixtyBreak,
		"/360giving.csv":  threeSixtyBreak,
	}
	for path, sql := range breaks {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			ts := newGrantServer(t)
			if _, err := ts.pool.Exec(t.Context(), sql); err != nil {
				t.Fatal(err)
			}
			resp, err := ts.client.Get(ts.url + path)
			if err != nil {
				return // nothing was sent: the client knows it has no file
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			switch {
			case resp.StatusCode != http.StatusOK:
				t.Fatalf("GET %q = %d, want 200 then a broken transfer (the break came too early)", path, resp.StatusCode)
			case err == nil:
				t.Errorf("GET %q = 200 with a clean end after %d bytes, want a broken transfer:\n%.300s", path, len(body), body)
			}
		})
	}
}

// exportCalls counts its calls in the transaction: the public's reads run read-only, where a
// sequence cannot move.
const exportCalls = `
CREATE FUNCTION export_calls() RETURNS integer LANGUAGE sql VOLATILE AS $$
	SELECT set_config('test.export_calls', (coalesce(nullif(current_setting('test.export_calls', true), ''), '0')::int + 1)::text, true)::int
$$;`

const threeSixtyBreak = exportCalls + `
CREATE FUNCTION export_line_ok() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	IF export_calls() > (SELECT count(*) FROM funding_lines_stored) + 3 THEN
		RAISE EXCEPTION 'the disk went away';
	END IF;
	RETURN true;
END $$;
ALTER TABLE funding_lines RENAME TO funding_lines_stored;
CREATE VIEW funding_lines AS SELECT * FROM funding_lines_stored WHERE export_line_ok()`
