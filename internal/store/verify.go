package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// SignatureReport is what checking every signed decision's content found.
type SignatureReport struct {
	Decisions    int    // signatures checked
	Mismatches   int    // how many do not hold
	BadID        int64  // the first decision whose content does not match what was signed, or 0
	BadReference string // its reference
	Problem      string // what is wrong with it
}

type signedDecision struct {
	signingRow
	ID            int64   `db:"decision_id"`
	Reference     string  `db:"reference"`
	ContentHash   string  `db:"content_hash"`
	AuditedHash   *string `db:"audited_hash"`   // what the audit trail recorded at signing
	SigningDetail *string `db:"signing_detail"` // the whole of that entry's detail
	// AuditedPublished is the date_published of the latest entry that recorded one.
	AuditedPublished *string `db:"audited_published"`
	// AuditedHeld is the release_held of the latest entry that recorded one: the signature's,
	// or the release's, which ends the hold.
	AuditedHeld   *string `db:"audited_held"`
	LatestHash    *string `db:"latest_hash"`    // the latest correction's hash, if corrected
	LatestVersion *int    `db:"latest_version"` // and the canonical version it was hashed under
}

// VerifySignatures recomputes the canonical content hash of every signed (or imported)
// decision, under the canonical version its signature recorded, and compares it with the hash
// the signature holds. It reads in one snapshot, so
// a signature written while it runs is either wholly checked or not seen.
func (s *Store) VerifySignatures(ctx context.Context) (SignatureReport, error) {
	var rep SignatureReport
	err := s.inSnapshot(ctx, func(st *Store) error {
		rep = SignatureReport{}
		rows, err := st.db.Query(ctx, `
SELECT g.decision_id, d.reference, g.content_hash, `+signingRowColumns+`,
	s.detail::jsonb ->> 'content_sha256' AS audited_hash, s.detail AS signing_detail,
	(SELECT a.detail::jsonb ->> 'date_published' FROM audit_log a
	 WHERE a.decision_id = g.decision_id AND a.event IN ('signed', 'rejected', 'imported', 'published', 'released')
		AND a.detail::jsonb ? 'date_published'
	 ORDER BY a.id DESC LIMIT 1) AS audited_published,
	(SELECT a.detail::jsonb ->> 'release_held' FROM audit_log a
	 WHERE a.decision_id = g.decision_id AND a.event IN ('signed', 'rejected', 'imported', 'released')
		AND a.detail::jsonb ? 'release_held'
	 ORDER BY a.id DESC LIMIT 1) AS audited_held,
	(SELECT v.content_hash FROM decision_versions v WHERE v.decision_id = g.decision_id AND v.number > 1
	 ORDER BY v.number DESC LIMIT 1) AS latest_hash,
	(SELECT v.canonical_version FROM decision_versions v WHERE v.decision_id = g.decision_id AND v.number > 1
	 ORDER BY v.number DESC LIMIT 1) AS latest_version
FROM signatures g JOIN decisions d ON d.id = g.decision_id
LEFT JOIN LATERAL (SELECT a.detail FROM audit_log a
	WHERE a.decision_id = g.decision_id AND a.event IN ('signed', 'rejected', 'imported')
	ORDER BY a.id LIMIT 1) s ON true
ORDER BY g.decision_id`)
		if err != nil {
			return fmt.Errorf("read signatures: %w", err)
		}
		signed, err := pgx.CollectRows(rows, pgx.RowToStructByName[signedDecision])
		if err != nil {
			return fmt.Errorf("read signatures: %w", err)
		}
		for _, sd := range signed {
			rep.Decisions++
			problem := ""
			c, err := st.Content(ctx, sd.ID)
			if err != nil {
				return err
			}
			if got, ok := decision.ContentHashAs(sd.CanonicalVersion, c); !ok {
				problem = "it was signed under canonical version " + strconv.Itoa(sd.CanonicalVersion) +
					", which this program cannot recompute"
			} else {
				// A corrected decision's live content is its latest version (VerifyVersions checks
				// every version against the trail and the first against this signature), hashed
				// as that version was.
				want := sd.ContentHash
				if sd.LatestHash != nil && sd.LatestVersion != nil {
					want = *sd.LatestHash
					if got, ok = decision.ContentHashAs(*sd.LatestVersion, c); !ok {
						got = "(canonical version " + strconv.Itoa(*sd.LatestVersion) + ", which this program cannot recompute)"
					}
				}
				if got != want {
					problem = "its content hashes to " + got + " but " + want + " was signed (the content was changed)"
				}
			}
			// The signature row itself could be rewritten to match changed content: the audit
			// trail, whose chain verify checks too, holds the hash as it was at signing.
			if problem == "" && (sd.AuditedHash == nil || *sd.AuditedHash != sd.ContentHash) {
				problem = "its signature's hash is not the one the audit trail recorded when it was signed (the signature was changed)"
			}
			if problem == "" {
				problem = sd.recordProblem()
			}
			if problem == "" {
				continue
			}
			rep.Mismatches++
			if rep.BadID == 0 {
				rep.BadID, rep.BadReference, rep.Problem = sd.ID, sd.Reference, problem
			}
		}
		if err := st.unsignedDecisions(ctx, &rep); err != nil {
			return err
		}
		return st.approvalProblems(ctx, &rep)
	})
	if err != nil {
		return SignatureReport{}, fmt.Errorf("verify signatures: %w", err)
	}
	return rep, nil
}

// RegisterReport is what checking the whole register found.
type RegisterReport struct {
	Signatures SignatureReport
	Versions   VersionReport
	Plans      PlanReport
	Chain      ChainReport
}

// VerifyRegister runs every check of `decisions verify` in one read-only snapshot, so the
// signatures, the versions and the audit chain are seen as they were at one moment, however
// many entries are appended meanwhile: a writer never makes it report tampering that did not
// happen. lengths are as VerifyAuditChain's.
func (s *Store) VerifyRegister(ctx context.Context, lengths ...int64) (RegisterReport, error) {
	var rep RegisterReport
	err := s.inSnapshot(ctx, func(st *Store) error {
		var err error
		if rep.Signatures, err = st.VerifySignatures(ctx); err != nil {
			return err
		}
		if rep.Versions, err = st.VerifyVersions(ctx); err != nil {
			return err
		}
		if rep.Plans, err = st.VerifyPlans(ctx); err != nil {
			return err
		}
		rep.Chain, err = st.VerifyAuditChain(ctx, lengths...)
		return err
	})
	if err != nil {
		return RegisterReport{}, err
	}
	return rep, nil
}

// unsignedDecisions counts as mismatches the decisions public as signed that have no
// signature: the database refuses them at commit, so one is there only by someone who turned
// its triggers off, or from before it refused them.
func (s *Store) unsignedDecisions(ctx context.Context, rep *SignatureReport) error {
	rows, err := s.db.Query(ctx, `
SELECT d.id, d.reference, d.status FROM decisions d
WHERE d.status IN ('approved', 'published', 'withdrawn') AND NOT EXISTS (SELECT 1 FROM signatures g WHERE g.decision_id = d.id)
ORDER BY d.id`)
	if err != nil {
		return fmt.Errorf("read unsigned decisions: %w", err)
	}
	var id int64
	var ref, status string
	_, err = pgx.ForEachRow(rows, []any{&id, &ref, &status}, func() error {
		rep.Mismatches++
		if rep.BadID == 0 {
			rep.BadID, rep.BadReference, rep.Problem = id, ref, "it is "+status+" but it was never signed"
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read unsigned decisions: %w", err)
	}
	return nil
}

type approvalCheck struct {
	DecisionID   int64   `db:"decision_id"`
	Reference    string  `db:"reference"`
	StepKind     string  `db:"step_kind"`
	ApproverName string  `db:"approver_name"`
	StepName     string  `db:"step_name"`
	Statement    string  `db:"statement"`
	Detail       *string `db:"detail"` // the audit entry that recorded the approval
}

// approvalProblems compares the approvals a signature rests on, as the public chain shows them
// (approver, step and statement), with what the audit trail recorded when each was given. An
// entry written before the register kept them (no approver) has nothing to compare.
func (s *Store) approvalProblems(ctx context.Context, rep *SignatureReport) error {
	rows, err := s.db.Query(ctx, `
SELECT a.decision_id, d.reference, a.step_kind, a.approver_name, a.step_name, a.statement,
	(SELECT l.detail FROM audit_log l
	 WHERE l.decision_id = a.decision_id AND l.event = 'approved' AND l.actor_id = a.user_id
		AND l.detail::jsonb ->> 'step' = a.step_kind AND l.detail::jsonb ->> 'content_sha256' = a.content_hash
	 ORDER BY l.id LIMIT 1) AS detail
FROM signoff_actions a JOIN decisions d ON d.id = a.decision_id JOIN signatures g ON g.decision_id = a.decision_id
WHERE a.action = 'approved' AND a.cleared_at IS NULL
ORDER BY a.decision_id, a.id`)
	if err != nil {
		return fmt.Errorf("read approvals: %w", err)
	}
	checks, err := pgx.CollectRows(rows, pgx.RowToStructByName[approvalCheck])
	if err != nil {
		return fmt.Errorf("read approvals: %w", err)
	}
	bad := map[int64]bool{}
	for _, c := range checks {
		problem := c.problem()
		if problem == "" || bad[c.DecisionID] {
			continue
		}
		bad[c.DecisionID] = true
		rep.Mismatches++
		if rep.BadID == 0 {
			rep.BadID, rep.BadReference, rep.Problem = c.DecisionID, c.Reference, problem
		}
	}
	return nil
}

func (c approvalCheck) problem() string {
	var audited map[string]string
	if c.Detail == nil || json.Unmarshal([]byte(*c.Detail), &audited) != nil {
		return "its " + c.StepKind + " approval has no audit entry (the approval was changed)"
	}
	if _, ok := audited["approver"]; !ok {
		return ""
	}
	for _, f := range []struct{ name, now, then string }{
		{"approver", c.ApproverName, audited["approver"]},
		{"step name", c.StepName, audited["step_name"]},
		{"statement", c.Statement, audited["statement"]},
	} {
		if f.now != f.then {
			return fmt.Sprintf("its %s approval's %s is %q but the audit trail recorded %q when it was given (the approval was changed)",
				c.StepKind, f.name, f.now, f.then)
		}
	}
	return ""
}

// recordProblem compares who signed, in what role, when, what they declared and when the
// decision is published, as the signature and the decision hold them now, with what the audit
// trail recorded: the triggers keep them, and this finds them changed by whoever turned the
// triggers off. An entry written before the register recorded them (no signed_at) has only its
// hash to compare.
func (sd signedDecision) recordProblem() string {
	var audited map[string]string
	if sd.SigningDetail == nil || json.Unmarshal([]byte(*sd.SigningDetail), &audited) != nil {
		return "the audit trail holds no readable record of its signature"
	}
	if _, ok := audited["signed_at"]; !ok {
		return ""
	}
	now := sd.record()
	for _, k := range signingKeys {
		if now[k] != audited[k] {
			return fmt.Sprintf("its %s is %q but the audit trail recorded %q when it was signed (the signing record was changed)",
				k, now[k], audited[k])
		}
	}
	want := ""
	if sd.AuditedPublished != nil {
		want = *sd.AuditedPublished
	}
	if now["date_published"] != want {
		return fmt.Sprintf("its date_published is %q but the audit trail recorded %q (the signing record was changed)",
			now["date_published"], want)
	}
	// A decision signed before holds were recorded has no entry saying whether it was held: the
	// database's trigger (migration 71) is all that guards it.
	if sd.AuditedHeld != nil && now["release_held"] != *sd.AuditedHeld {
		return fmt.Sprintf("its release_held is %q but the audit trail recorded %q (whether it waits for release was changed)",
			now["release_held"], *sd.AuditedHeld)
	}
	return ""
}

// KnownSeries lists the series the register knows: those with decisions or a sign-off chain.
func (s *Store) KnownSeries(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `
SELECT series FROM decisions UNION SELECT series FROM series_chain_steps ORDER BY series`)
	if err != nil {
		return nil, fmt.Errorf("known series: %w", err)
	}
	series, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("known series: %w", err)
	}
	return series, nil
}
