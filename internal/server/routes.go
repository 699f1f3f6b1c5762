package server

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/decision-register/decisions/internal/decision"
)

// Routes returns the handler for every route. Middleware runs in the order written,
// outermost first.
func (s *Server) Routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.trustedProxies.Identify)
	r.Use(s.recoverPanics)
	r.Use(s.logRequests)
	r.Use(s.securityHeaders)
	r.Use(s.limitDuration)
	// Inside the deadline, so waiting for a slot counts against it.
	r.Use(s.admit)
	// Inside the log and the headers, so redirects carry both.
	r.Use(redirectSlashes)
	r.Use(http.NewCrossOriginProtection().Handler)
	r.Use(s.loadAndSaveSession)
	r.Use(s.loadUser)
	// Inside loadUser, which it needs (staff pages are padded), and outside every handler, so
	// pages, errors, static files and exports are all compressed; outside it, the few responses
	// written by the middleware above (redirects, cross-origin refusals) are small.
	r.Use(s.compress)
	// HEAD is answered by the GET handlers, for link checkers and monitors.
	r.Use(middleware.GetHead)
	r.Use(s.refuseUnstorableInput)

	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Get("/static/{name}", s.handle(s.handleStatic))

	r.Get("/", s.handle(s.handleHome))
	r.Get("/accessibility", s.handle(s.handleAccessibility))
	r.Get("/glossary", s.handle(s.handleGlossary))
	// What costs the database most is limited per client: searches, the API, verification
	// (it rebuilds and hashes the whole decision), and the exports (up to 100,000 rows each).
	search, exports := s.rateLimit(limitSearch, s.searchRate), s.rateLimit(limitExports, s.exportRate)
	r.With(search).Get("/decisions", s.handle(s.handleDecisionList))
	// Open data: the same search as /decisions.
	r.With(exports).Get("/decisions.csv", s.handle(s.handleDecisionsCSV))
	r.With(exports).Get("/decisions.atom", s.handle(s.handleDecisionsAtom))
	r.With(search).Get("/360giving", s.handle(s.handleThreeSixty))
	r.With(exports).Get("/360giving.json", s.handle(s.handleThreeSixtyJSON))
	r.With(exports).Get("/360giving.csv", s.handle(s.handleThreeSixtyCSV))
	// The JSON API (internal/api).
	r.With(search).Get("/api/v1/decisions", s.handle(s.api.Decisions))
	r.With(search).Get("/api/v1/decisions/{slug}", s.handle(s.api.Decision))
	r.Get("/api/v1/openapi.json", s.handle(s.api.OpenAPI))
	r.Get("/decisions/{slug}", s.handle(s.handleDecisionShow))
	// Funders and recipients (organisations.go). The index is in every page's navigation, so it
	// is not limited (a limited visitor's 429 page links to it); each CSV and Atom is an export.
	r.Get("/organisations", s.handle(s.handleOrganisations))
	r.Get("/organisations/{slug}", s.handle(s.handleOrganisation))
	r.With(exports).Get("/organisations/{slug}.csv", s.handle(s.handleOrganisationCSV))
	r.With(exports).Get("/organisations/{slug}.atom", s.handle(s.handleOrganisationAtom))
	r.Get("/decisions/{slug}/canonical", s.handle(s.handleCanonical))
	r.With(search).Get("/decisions/{slug}/verify", s.handle(s.handleVerify))
	// A document may be 25 MB: downloads count as exports.
	r.With(exports).Get("/decisions/{slug}/documents/{sha256}", s.handle(s.handleDocument))
	r.Get("/decisions/{slug}/versions/{n}", s.handle(s.handleVersion))
	r.Get("/decisions/{slug}/versions/{n}/canonical", s.handle(s.handleVersionCanonical))
	// What is withheld, on what ground, until when (withholding.go).
	r.Get("/withheld", s.handle(s.handleWithheld))
	// iCalendar feeds of dates ahead (calendars.go): each is a query over every decision.
	r.With(exports).Get("/calendars/deferred.ics", s.handle(s.handleCalendar(s.deferredFeed)))
	r.With(exports).Get("/calendars/funding-ends.ics", s.handle(s.handleCalendar(s.fundingEndsFeed)))
	r.With(exports).Get("/calendars/forward-plan.ics", s.handle(s.handleCalendar(s.forwardPlanFeed)))
	// Signed checkpoints of the audit trail, for mirrors: the lists grow with every signature.
	r.With(exports).Get("/checkpoints.json", s.handle(s.handleCheckpointsJSON))
	r.With(exports).Get("/checkpoints.atom", s.handle(s.handleCheckpointsAtom))
	r.Get("/checkpoints/key", s.handle(s.handleCheckpointKey))
	// The forward plan (forwardplan.go): notices of decisions to come, published plans.
	r.Get("/forward-plan", s.handle(s.handleForwardPlan))
	r.With(exports).Get("/forward-plan.atom", s.handle(s.handleForwardPlanAtom))
	r.Get("/forward-plan/{id}", s.handle(s.handlePlanNotice))
	r.Get("/forward-plan/published/{id}", s.handle(s.handlePlanPublished))
	r.Get("/forward-plan/published/{id}/plan.json", s.handle(s.handlePlanPublishedJSON))
	r.Get("/forward-plan/exceptions/{id}", s.handle(s.handlePlanException))
	r.With(search).Get("/checkpoints/{id}", s.handle(s.handleCheckpoint))

	r.Get("/sign-in", s.handle(s.handleSignInForm))
	// Each attempt costs a 64 MiB password check: a client's attempts are limited before any
	// is counted or checked (the throttles in account.go then count failures).
	r.With(s.rateLimit(limitSignIn, s.signInRate)).Post("/sign-in", s.handle(s.handleSignIn))
	r.Post("/sign-out", s.handle(s.handleSignOut))
	// Single sign-on (sso.go): both ends count as sign-in attempts, which also bounds the audit
	// entries a refused callback writes.
	r.With(s.rateLimit(limitSignIn, s.signInRate)).Post("/sign-in/sso", s.handle(s.handleSSOStart))
	r.With(s.rateLimit(limitSignIn, s.signInRate)).Get(SSOCallbackPath, s.handle(s.handleSSOCallback))
	// A password sign-in's second step, for people with an authenticator app (twofactor.go).
	r.Get(signInCodePath, s.handle(s.handleSignInCodeForm))
	r.With(s.rateLimit(limitSignIn, s.signInRate)).Post(signInCodePath, s.handle(s.handleSignInCode))
	// Or with a passkey (passkeys.go): the options start the ceremony, the form finishes it.
	r.With(s.passkeysOn, s.rateLimit(limitSignIn, s.signInRate)).Post(signInPasskeyPath+"/options", s.handle(s.handleSignInPasskeyOptions))
	r.With(s.passkeysOn, s.rateLimit(limitSignIn, s.signInRate)).Post(signInPasskeyPath, s.handle(s.handleSignInPasskey))
	// One-click unsubscribe (RFC 8058) from a notice's link: signed, so no sign-in is needed.
	r.Get("/notices/unsubscribe/{token}", s.handle(s.handleUnsubscribeForm))
	r.Post("/notices/unsubscribe/{token}", s.handle(s.handleUnsubscribe))
	// E-mail alerts, for anyone (alerts.go): asking is limited as searches are (it runs one),
	// and each address's messages by the store. Confirming and stopping are signed links.
	r.Get("/alerts/new", s.handle(s.handleAlertNew))
	r.With(search).Post("/alerts", s.handle(s.handleAlertRequest))
	r.Get("/alerts/asked", s.handle(s.handleAlertAsked))
	r.Get("/alerts/confirm/{token}", s.handle(s.handleAlertConfirmForm))
	r.Post("/alerts/confirm/{token}", s.handle(s.handleAlertConfirm))
	r.Get("/alerts/unsubscribe/{token}", s.handle(s.handleAlertStopForm))
	r.Post("/alerts/unsubscribe/{token}", s.handle(s.handleAlertStop))
	// The timeout warning's "Stay signed in": a read, which moves a signed-in session's expiry on.
	r.Get("/sign-in/keep-alive", s.handle(s.handleKeepAlive))

	// Staff accounts and sign-off chains: admins only.
	r.Group(func(r chi.Router) {
		r.Use(s.requireStaff, s.requireRole(decision.RoleAdmin, errNotAdmin))
		r.Get("/admin/users", s.handle(s.handleAdminUsers))
		r.Get("/admin/users/new", s.handle(s.handleAdminUserNew))
		r.Post("/admin/users/new", s.handle(s.handleAdminUserCreate))
		r.Get("/admin/users/{id}", s.handle(s.handleAdminUser))
		r.Post("/admin/users/{id}", s.handle(s.handleAdminUserUpdate))
		r.Get("/admin/users/{id}/disable", s.handle(s.handleAdminUserStatus(true)))
		r.Post("/admin/users/{id}/disable", s.handle(s.handleAdminUserStatus(true)))
		r.Get("/admin/users/{id}/enable", s.handle(s.handleAdminUserStatus(false)))
		r.Post("/admin/users/{id}/enable", s.handle(s.handleAdminUserStatus(false)))
		r.Get("/admin/users/{id}/password", s.handle(s.handleAdminPasswordReset))
		r.Post("/admin/users/{id}/password", s.handle(s.handleAdminPasswordReset))
		r.Get("/admin/users/{id}/second-factor", s.handle(s.handleAdminSecondFactorReset))
		r.Post("/admin/users/{id}/second-factor", s.handle(s.handleAdminSecondFactorReset))
		r.Get("/admin/users/{id}/cover", s.handle(s.handleCoverPage(s.adminCover)))
		r.Post("/admin/users/{id}/cover", s.handle(s.handleCoverSet(s.adminCover)))
		r.Post("/admin/users/{id}/cover/{cover}/end", s.handle(s.handleCoverEnd(s.adminCover)))
		r.Get("/admin/chains/{series}", s.handle(s.handleAdminChain))
		r.Post("/admin/chains/{series}", s.handle(s.handleAdminChainSave))
		r.Get("/admin/series/{series}/templates", s.handle(s.handleAdminTemplates))
		r.Post("/admin/series/{series}/templates", s.handle(s.handleAdminTemplatesSave))
		r.Get("/admin/notices", s.handle(s.handleAdminNotices))
		r.Get("/admin/bank-holidays", s.handle(s.handleAdminBankHolidays))
		r.Post("/admin/bank-holidays", s.handle(s.handleAdminBankHolidaysUpload))
		r.Get("/admin/organisations", s.handle(s.handleAdminOrganisations))
		r.Get("/admin/organisations/{id}", s.handle(s.handleAdminOrganisation))
		r.Post("/admin/organisations/{id}/rename", s.handle(s.handleAdminOrganisationRename))
		r.Post("/admin/organisations/{id}/merge", s.handle(s.handleAdminOrganisationMerge))
		r.Post("/forward-plan/publish", s.handle(s.handlePlanPublish))
		r.Get("/admin/key-decisions", s.handle(s.handleAdminKeyRules))
		r.Post("/admin/key-decisions", s.handle(s.handleAdminKeyRulesSave))
		r.Get("/admin/sign-in", s.handle(s.handleAdminSignIn))
		r.Post("/admin/sign-in", s.handle(s.handleAdminSignInSave))
		r.Get("/admin/release/{series}", s.handle(s.handleSeriesRelease))
		r.Post("/admin/release/{series}", s.handle(s.handleSeriesReleaseSave))
	})

	// Drafting: drafters only.
	r.Group(func(r chi.Router) {
		r.Use(s.requireStaff, s.requireRole(decision.RoleDrafter, errNotDrafter))
		r.Get("/decisions/new", s.handle(s.handleDraftNew))
		r.Post("/decisions/new", s.handle(s.handleDraftCreate))
		r.Get("/decisions/{slug}/edit", s.handle(s.handleDraftTasks))
		r.Get("/decisions/{slug}/edit/{part}", s.handle(s.handleDraftPart))
		r.Post("/decisions/{slug}/edit/{part}", s.handle(s.handleDraftPartSave))
		r.Get("/decisions/{slug}/edit/sections/{kind}", s.handle(s.handleDraftPart))
		r.Post("/decisions/{slug}/edit/sections/{kind}", s.handle(s.handleDraftPartSave))
		r.Get("/decisions/{slug}/check", s.handle(s.handleDraftCheck))
		r.Post("/decisions/{slug}/submit", s.handle(s.handleDraftSubmit))
		r.Get("/decisions/{slug}/submitted", s.handle(s.handleSubmitted))
		r.Get("/decisions/{slug}/discard", s.handle(s.handleDraftDiscardForm))
		r.Post("/decisions/{slug}/discard", s.handle(s.handleDraftDiscard))
		// The next decision of a chain, started from a signed one (continuations.go).
		r.Post("/decisions/{slug}/continue", s.handle(s.handleContinue))
		// Notices on the forward plan are written by drafters (forwardplan.go).
		r.Get("/forward-plan/new", s.handle(s.handlePlanNoticeNew))
		r.Post("/forward-plan/new", s.handle(s.handlePlanNoticeCreate))
		r.Get("/forward-plan/{id}/edit", s.handle(s.handlePlanNoticeEdit))
		r.Post("/forward-plan/{id}/edit", s.handle(s.handlePlanNoticeSave))
		r.Get("/forward-plan/{id}/withdraw", s.handle(s.handlePlanNoticeWithdrawForm))
		r.Post("/forward-plan/{id}/withdraw", s.handle(s.handlePlanNoticeWithdraw))
		r.Get("/forward-plan/{id}/exception", s.handle(s.handlePlanExceptionForm))
		r.Post("/forward-plan/{id}/exception", s.handle(s.handlePlanExceptionCreate))
		// Corrections are drafted by drafters (corrections.go says who approves them).
		r.Get("/decisions/{slug}/correction/new", s.handle(s.handleCorrectionNew))
		r.Post("/decisions/{slug}/correction/new", s.handle(s.handleCorrectionCreate))
		r.Get("/decisions/{slug}/correction/check", s.handle(s.handleCorrectionCheck))
		r.Post("/decisions/{slug}/correction/send", s.handle(s.handleCorrectionSend))
		r.Get("/decisions/{slug}/correction/{part}", s.handle(s.handleCorrectionPart))
		r.Post("/decisions/{slug}/correction/{part}", s.handle(s.handleCorrectionPartSave))
		r.Get("/decisions/{slug}/correction/sections/{kind}", s.handle(s.handleCorrectionPart))
		r.Post("/decisions/{slug}/correction/sections/{kind}", s.handle(s.handleCorrectionPartSave))
		r.Get("/decisions/{slug}/correction/funding/{n}", s.handle(s.handleCorrectionPart))
		r.Post("/decisions/{slug}/correction/funding/{n}", s.handle(s.handleCorrectionPartSave))
	})

	// Sign-off, and each person's work: any member of staff; the rules decide who may act.
	r.Group(func(r chi.Router) {
		r.Use(s.requireStaff)
		// A notice linked to a decision by mistake: drafters and admins (forwardplan.go).
		r.Get("/forward-plan/{id}/unlink", s.handle(s.handlePlanNoticeUnlinkForm))
		r.Post("/forward-plan/{id}/unlink", s.handle(s.handlePlanNoticeUnlink))
		r.Get("/work", s.handle(s.handleWork))
		r.Get("/work/in-sign-off", s.handle(s.handleInSignoff))
		r.Get("/account/password", s.handle(s.handlePasswordForm))
		r.Post("/account/password", s.handle(s.handlePasswordChange))
		r.Get(confirmPath, s.handle(s.handleConfirmForm))
		r.With(s.rateLimit(limitSignIn, s.signInRate)).Post(confirmPath, s.handle(s.handleConfirm))
		r.Get(secondFactorPath, s.handle(s.handleSecondFactorPage))
		r.Post(secondFactorPath, s.handle(s.handleSecondFactorSave))
		r.With(s.passkeysOn, s.rateLimit(limitSignIn, s.signInRate)).Post(confirmPasskeyPath+"/options", s.handle(s.handleConfirmPasskeyOptions))
		r.With(s.passkeysOn, s.rateLimit(limitSignIn, s.signInRate)).Post(confirmPasskeyPath, s.handle(s.handleConfirmPasskey))
		r.With(s.passkeysOn).Get(passkeysPath, s.handle(s.handlePasskeys))
		r.With(s.passkeysOn).Post(passkeysPath, s.handle(s.handlePasskeyAdd))
		r.With(s.passkeysOn).Post(passkeysPath+"/options", s.handle(s.handlePasskeyCreateOptions))
		r.With(s.passkeysOn).Get(passkeysPath+"/{id}/remove", s.handle(s.handlePasskeyRemoveForm))
		r.With(s.passkeysOn).Post(passkeysPath+"/{id}/remove", s.handle(s.handlePasskeyRemove))
		r.Get("/account/notices", s.handle(s.handleNoticePreferences))
		r.Post("/account/notices", s.handle(s.handleNoticePreferencesSave))
		r.Get("/account/cover", s.handle(s.handleCoverPage(s.ownCover)))
		r.Post("/account/cover", s.handle(s.handleCoverSet(s.ownCover)))
		r.Post("/account/cover/{cover}/end", s.handle(s.handleCoverEnd(s.ownCover)))
		r.Get("/decisions/{slug}/signoff", s.handle(s.handleSignoff))
		r.Post("/decisions/{slug}/signoff", s.handle(s.handleSignoffAct))
		r.Post("/decisions/{slug}/sign", s.handle(s.handleSign))
		// A correction in progress is seen by staff; the rules decide who approves it.
		r.Get("/decisions/{slug}/correction", s.handle(s.handleCorrection))
		r.Post("/decisions/{slug}/correction/approve", s.handle(s.handleCorrectionApprove))
		r.Post("/decisions/{slug}/correction/return", s.handle(s.handleCorrectionReturn))
		r.Get("/decisions/{slug}/correction/discard", s.handle(s.handleCorrectionDiscardForm))
		r.Post("/decisions/{slug}/correction/discard", s.handle(s.handleCorrectionDiscard))
		r.Get("/decisions/{slug}/withdraw", s.handle(s.handleWithdrawForm))
		// Reviews of what is withheld: the series' decision makers and admins (withholding.go).
		r.Get("/withheld/review", s.handle(s.handleWithheldReview))
		r.Get("/withheld/review/{id}/extend", s.handle(s.handleWithheldExtendForm))
		r.Post("/withheld/review/{id}/extend", s.handle(s.handleWithheldExtend))
		r.Post("/withheld/review/{id}/release", s.handle(s.handleWithheldRelease))
		r.Get("/withheld/review/{id}/release-part", s.handle(s.handleReleasePartForm))
		r.Post("/withheld/review/{id}/release-part", s.handle(s.handleReleasePart))
		r.Post("/decisions/{slug}/withdraw", s.handle(s.handleWithdraw))
	})

	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errPageNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, req *http.Request) error {
		// RFC 9110 requires the methods the address does allow; chi only adds them itself
		// when it writes the 405.
		w.Header().Set("Allow", strings.Join(allowedMethods(r, req.URL.Path), ", "))
		return errMethodNotAllowed
	}))
	return r
}

// allowedMethods lists the methods some route answers at path. HEAD goes wherever GET does.
func allowedMethods(r *chi.Mux, path string) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if r.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
			if m == http.MethodGet {
				allowed = append(allowed, http.MethodHead)
			}
		}
	}
	return allowed
}
