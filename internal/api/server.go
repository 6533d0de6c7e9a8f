// Package api serves Switchboard's HTTP interface: the JSON API under
// /api/v1, the real-time WebSocket, health and metrics endpoints, and the
// embedded web app. Handlers translate HTTP to calls of the inbox service,
// which makes every authorisation decision.
package api

import (
	"context"
	_ "embed"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/metrics"
	"github.com/switchboardhq/switchboard/internal/realtime"
)

// SessionCookie is the name of the session cookie browsers carry.
const SessionCookie = "switchboard_session"

//go:embed openapi.json
var openAPIDocument []byte

// Server is the HTTP server's handler set. Service and Hub are required.
type Server struct {
	Service *inbox.Service
	Hub     *realtime.Hub
	Logger  *slog.Logger
	// Metrics is where the server registers its metrics and what /metrics
	// serves; nil means a fresh [metrics.NewRegistry].
	Metrics *prometheus.Registry
	// PublicURL is where users reach Switchboard; an https URL makes the
	// session cookie Secure and sets the allowed WebSocket origin.
	PublicURL string
	// TrustProxy makes the client address come from X-Forwarded-For, for
	// a reverse proxy such as Caddy on the same host.
	TrustProxy bool
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// with TrustProxy; empty means DefaultTrustedProxies.
	TrustedProxies []netip.Prefix
	// Assets is the built web app; nil serves a short notice instead.
	Assets fs.FS
	// Ready reports whether the server can take traffic (database reachable,
	// migrations current); nil means always.
	Ready func(ctx context.Context) error
	// Ping checks that the database answers. When a request fails with an
	// internal error and Ping fails too, the answer is 503 unavailable
	// instead of 500: the database is down, not the request wrong. nil
	// keeps 500.
	Ping func(ctx context.Context) error
	// MetricsElsewhere leaves /metrics off this handler: it is served on a
	// separate, internal listener (SWITCHBOARD_METRICS_ADDR).
	MetricsElsewhere bool
	// Extra lets other packages (the WhatsApp webhook) mount handlers
	// outside /api/v1 before the server starts.
	Extra map[string]http.Handler

	// BodyTimeout bounds how long a request may take to send its body on
	// every route but uploads (login, webhooks, the JSON API); zero means
	// DefaultBodyTimeout. UploadTimeout is the bound for multipart uploads
	// (POST .../media and multipart POST .../messages); zero means
	// DefaultUploadTimeout. The http.Server itself sets no ReadTimeout, only
	// a short ReadHeaderTimeout: the handler chooses the body deadline by
	// route.
	BodyTimeout   time.Duration
	UploadTimeout time.Duration

	// revalidator checks every WebSocket's session on one shared timer.
	revalidator sessionRevalidator

	latency *prometheus.HistogramVec
	// rejected counts webhook POSTs refused before queueing, by reason.
	rejected *prometheus.CounterVec
}

type route struct {
	method, path string
	h            http.Handler
}

// authedHandler is a handler for signed-in users.
type authedHandler func(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error

// routes lists the JSON API; the OpenAPI test compares it with the document.
func (s *Server) routes() []route {
	pub := func(h func(http.ResponseWriter, *http.Request) error) http.Handler { return s.public(h) }
	auth := func(h authedHandler) http.Handler { return s.authed(h) }
	enrol := func(h authedHandler) http.Handler { return s.enrolment(h) }
	return append([]route{
		{"GET", "/api/v1/openapi.json", pub(s.openAPI)},
		{"POST", "/api/v1/session", pub(s.login)},
		{"POST", "/api/v1/session/second-factor", pub(s.loginSecondFactor)},
		{"POST", "/api/v1/session/passkey/options", pub(s.passkeySignInOptions)},
		{"POST", "/api/v1/session/passkey", pub(s.loginPasskey)},
		{"GET", "/api/v1/session", pub(s.sessionState)},
		{"DELETE", "/api/v1/session", enrol(s.logout)},
		{"DELETE", "/api/v1/sessions", enrol(s.logoutEverywhere)},
		{"GET", "/api/v1/setup", pub(s.setupStatus)},
		{"POST", "/api/v1/setup", pub(s.completeSetup)},
		{"GET", "/api/v1/me", enrol(s.me)},
		{"GET", "/api/v1/me/two-factor", enrol(s.twoFactorStatus)},
		{"POST", "/api/v1/me/two-factor", enrol(s.beginTwoFactor)},
		{"POST", "/api/v1/me/two-factor/confirm", enrol(s.confirmTwoFactor)},
		{"POST", "/api/v1/me/two-factor/disable", auth(s.disableTwoFactor)},
		{"GET", "/api/v1/me/passkeys", enrol(s.listPasskeys)},
		{"POST", "/api/v1/me/passkeys/options", enrol(s.passkeyRegistrationOptions)},
		{"POST", "/api/v1/me/passkeys", enrol(s.registerPasskey)},
		{"DELETE", "/api/v1/me/passkeys/{id}", auth(s.deletePasskey)},
		{"POST", "/api/v1/me/two-factor/recovery-codes", auth(s.regenerateRecoveryCodes)},
		{"POST", "/api/v1/me/password", auth(s.changePassword)},
		{"GET", "/api/v1/permissions", auth(s.permissions)},
		{"GET", "/api/v1/me/tokens", auth(s.listMyTokens)},
		{"POST", "/api/v1/me/tokens", auth(s.createMyToken)},
		{"DELETE", "/api/v1/me/tokens/{id}", auth(s.revokeMyToken)},
		{"GET", "/api/v1/service-accounts", auth(s.listServiceAccounts)},
		{"POST", "/api/v1/service-accounts", auth(s.createServiceAccount)},
		{"GET", "/api/v1/service-accounts/{id}/tokens", auth(s.listServiceAccountTokens)},
		{"POST", "/api/v1/service-accounts/{id}/tokens", auth(s.createServiceAccountToken)},
		{"DELETE", "/api/v1/service-accounts/{id}/tokens/{tokenId}", auth(s.revokeServiceAccountToken)},
		{"GET", "/api/v1/users", auth(s.listUsers)},
		{"POST", "/api/v1/users", auth(s.createUser)},
		{"GET", "/api/v1/users/{id}", auth(s.getUser)},
		{"PATCH", "/api/v1/users/{id}", auth(s.updateUser)},
		{"DELETE", "/api/v1/users/{id}/two-factor", auth(s.resetTwoFactor)},
		{"GET", "/api/v1/roles", auth(s.listRoles)},
		{"POST", "/api/v1/roles", auth(s.createRole)},
		{"GET", "/api/v1/roles/{id}", auth(s.getRole)},
		{"PATCH", "/api/v1/roles/{id}", auth(s.updateRole)},
		{"DELETE", "/api/v1/roles/{id}", auth(s.deleteRole)},
		{"PUT", "/api/v1/roles/{id}/two-factor", auth(s.setRoleTwoFactor)},
		{"GET", "/api/v1/contacts/{id}", auth(s.getContact)},
		{"DELETE", "/api/v1/contacts/{id}", auth(s.eraseContact)},
		{"GET", "/api/v1/contacts/{id}/export", auth(s.exportContact)},
		{"GET", "/api/v1/conversations", auth(s.listConversations)},
		{"GET", "/api/v1/search/messages", auth(s.searchMessages)},
		{"GET", "/api/v1/conversations/{id}", auth(s.getConversation)},
		{"PATCH", "/api/v1/conversations/{id}", auth(s.patchConversation)},
		{"GET", "/api/v1/conversations/{id}/messages", auth(s.listMessages)},
		{"POST", "/api/v1/conversations/{id}/messages", auth(s.sendMessage)},
		{"POST", "/api/v1/messages/{id}/retry", auth(s.retryMessage)},
		{"POST", "/api/v1/conversations/{id}/read", auth(s.markRead)},
		{"POST", "/api/v1/conversations/{id}/typing", auth(s.typing)},
		{"PUT", "/api/v1/conversations/{id}/block", auth(s.blockContact)},
		{"DELETE", "/api/v1/conversations/{id}/block", auth(s.unblockContact)},
		{"GET", "/api/v1/conversations/{id}/assignable", auth(s.listAssignable)},
		{"PUT", "/api/v1/conversations/{id}/team", auth(s.setConversationTeam)},
		{"GET", "/api/v1/teams", auth(s.listTeams)},
		{"POST", "/api/v1/teams", auth(s.createTeam)},
		{"PUT", "/api/v1/teams/{id}", auth(s.updateTeam)},
		{"DELETE", "/api/v1/teams/{id}", auth(s.deleteTeam)},
		{"PUT", "/api/v1/me/availability", auth(s.setAvailability)},
		{"GET", "/api/v1/channels/{id}/routing", auth(s.getChannelRouting)},
		{"PUT", "/api/v1/channels/{id}/routing", auth(s.setChannelRouting)},
		{"POST", "/api/v1/conversations/{id}/notes", auth(s.addNote)},
		{"GET", "/api/v1/conversations/{id}/mentionable", auth(s.listMentionable)},
		{"DELETE", "/api/v1/conversations/{id}/mention", auth(s.dismissMention)},
		{"GET", "/api/v1/mentions", auth(s.listMentions)},
		{"POST", "/api/v1/conversations/{id}/mention/read", auth(s.markMentionRead)},
		{"GET", "/api/v1/canned-replies", auth(s.listCannedReplies)},
		{"POST", "/api/v1/canned-replies", auth(s.createCannedReply)},
		{"GET", "/api/v1/canned-replies/{id}", auth(s.getCannedReply)},
		{"PUT", "/api/v1/canned-replies/{id}", auth(s.updateCannedReply)},
		{"DELETE", "/api/v1/canned-replies/{id}", auth(s.deleteCannedReply)},
		{"GET", "/api/v1/conversations/{id}/canned-replies/{replyId}/render", auth(s.renderCannedReply)},
		{"GET", "/api/v1/conversations/{id}/contact", auth(s.getContactPanel)},
		{"POST", "/api/v1/conversations/{id}/contact/notes", auth(s.addContactNote)},
		{"DELETE", "/api/v1/conversations/{id}/contact/notes/{noteId}", auth(s.deleteContactNote)},
		{"PUT", "/api/v1/conversations/{id}/contact/attributes", auth(s.setContactAttributes)},
		{"GET", "/api/v1/contact-attributes", auth(s.listAttributeDefs)},
		{"POST", "/api/v1/contact-attributes", auth(s.createAttributeDef)},
		{"PUT", "/api/v1/contact-attributes/{id}", auth(s.updateAttributeDef)},
		{"DELETE", "/api/v1/contact-attributes/{id}", auth(s.deleteAttributeDef)},
		{"GET", "/api/v1/conversations/{id}/draft", auth(s.getDraft)},
		{"PUT", "/api/v1/conversations/{id}/draft", auth(s.saveDraft)},
		{"POST", "/api/v1/conversations/{id}/composer-activity", auth(s.composerActivity)},
		{"PUT", "/api/v1/conversations/{id}/assignees/{userId}", auth(s.assign)},
		{"DELETE", "/api/v1/conversations/{id}/assignees/{userId}", auth(s.unassign)},
		{"POST", "/api/v1/conversations/{id}/handoff", auth(s.handOff)},
		{"POST", "/api/v1/conversations/{id}/bot-failures", auth(s.reportBotFailure)},
		{"GET", "/api/v1/conversations/{id}/suggestions", auth(s.listSuggestions)},
		{"POST", "/api/v1/conversations/{id}/suggestions", auth(s.createSuggestion)},
		{"POST", "/api/v1/conversations/{id}/suggestions/{sid}/send", auth(s.sendSuggestion)},
		{"POST", "/api/v1/conversations/{id}/suggestions/{sid}/discard", auth(s.discardSuggestion)},
		{"POST", "/api/v1/conversations/{id}/media", auth(s.uploadMedia)},
		{"GET", "/api/v1/media/limits", auth(s.mediaLimits)},
		{"GET", "/api/v1/send-errors", auth(s.sendErrors)},
		{"GET", "/api/v1/media/{id}", auth(s.getMedia)},
		{"GET", "/api/v1/channels", auth(s.listChannels)},
		{"POST", "/api/v1/channels", auth(s.createChannel)},
		{"GET", "/api/v1/channels/{id}", auth(s.getChannel)},
		{"PATCH", "/api/v1/channels/{id}", auth(s.updateChannel)},
		{"POST", "/api/v1/channels/{id}/templates/sync", auth(s.syncTemplates)},
		{"GET", "/api/v1/webhooks", auth(s.listWebhooksOut)},
		{"POST", "/api/v1/webhooks", auth(s.createWebhookOut)},
		{"GET", "/api/v1/webhooks/{id}", auth(s.getWebhookOut)},
		{"PATCH", "/api/v1/webhooks/{id}", auth(s.updateWebhookOut)},
		{"DELETE", "/api/v1/webhooks/{id}", auth(s.deleteWebhookOut)},
		{"POST", "/api/v1/webhooks/{id}/rotate-secret", auth(s.rotateWebhookOutSecret)},
		{"GET", "/api/v1/webhooks/{id}/deliveries", auth(s.listWebhookOutDeliveries)},
		{"POST", "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver", auth(s.redeliverWebhookOut)},
		{"GET", "/api/v1/templates", auth(s.listTemplates)},
		{"GET", "/api/v1/dead-letters", auth(s.listDeadLetters)},
		{"POST", "/api/v1/dead-letters/{id}/replay", auth(s.replayDeadLetter)},
		{"GET", "/api/v1/audit", auth(s.listAudit)},
		{"POST", "/api/v1/audit/verify", auth(s.verifyAudit)},
		{"GET", "/api/v1/audit/actions", auth(s.auditActions)},
		{"GET", "/api/v1/backups/status", auth(s.backupStatus)},
		{"GET", "/api/v1/reports/conversations", auth(s.reportConversations)},
		{"GET", "/api/v1/reports/agents", auth(s.reportAgents)},
		{"GET", "/api/v1/reports/messages", auth(s.reportMessages)},
		{"GET", "/api/v1/reports/costs", auth(s.reportCosts)},
		{"GET", "/api/v1/reports/bots", auth(s.reportBots)},
		{"GET", "/api/v1/events", s.events()},
	}, s.labelRoutes(auth)...)
}

// DefaultBodyTimeout is the time an ordinary request (login, webhook, JSON
// API) has to send its body: JSON bodies are at most 1 MiB, webhooks a few
// KiB, so 30 s leave room for a slow line while a slow-body client cannot
// hold a connection for long.
const DefaultBodyTimeout = 30 * time.Second

// DefaultUploadTimeout is long enough for a 100 MB upload on a slow line
// (about 1.4 Mbit/s).
const DefaultUploadTimeout = 10 * time.Minute

// bodyDeadline sets the connection's read deadline for the request body
// and lifts it once the body has been read to its end: after that the
// server's background read (which notices a client going away) must not
// hit the deadline, or a long response (a media download, an export)
// would have its context cancelled. Requests without a body (GET, the
// WebSocket upgrade) get no deadline at all.
func bodyDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(d)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody clears the read deadline when the body reaches its end.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// uploadDeadline gives multipart requests the longer upload deadline.
func uploadDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		next.ServeHTTP(w, r)
	})
}

// Handler returns the complete HTTP handler.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Metrics == nil {
		s.Metrics = metrics.NewRegistry()
	}
	reg := promauto.With(s.Metrics)
	s.latency = reg.NewHistogramVec(prometheus.HistogramOpts{
		Name: "switchboard_http_request_duration_seconds", Help: "HTTP request latency by route, method and status code.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method", "code"})
	s.rejected = reg.NewCounterVec(prometheus.CounterOpts{
		Name: "switchboard_webhooks_rejected_total",
		Help: "Webhook POSTs refused before queueing, by reason: signature (missing or matching no channel's app secret), foreign_channel (signed by one app's secret but naming a number of another), too_large, unreadable, error (the queue failed).",
	}, []string{"reason"})

	bodyTimeout, uploadTimeout := s.BodyTimeout, s.UploadTimeout
	if bodyTimeout <= 0 {
		bodyTimeout = DefaultBodyTimeout
	}
	if uploadTimeout <= 0 {
		uploadTimeout = DefaultUploadTimeout
	}
	api := http.NewServeMux()
	for _, rt := range s.routes() {
		h := rt.h
		if rt.method == "POST" && (rt.path == "/api/v1/conversations/{id}/media" || rt.path == "/api/v1/conversations/{id}/messages") {
			h = uploadDeadline(uploadTimeout, h)
		}
		api.Handle(rt.method+" "+rt.path, h)
	}
	api.Handle("/api/", s.public(func(w http.ResponseWriter, r *http.Request) error {
		return switchboard.Errorf(switchboard.ENotFound, "No such API endpoint.")
	}))
	// Cookie-authenticated writes from other sites are refused (CSRF):
	// CrossOriginProtection checks Sec-Fetch-Site and Origin, and lets
	// requests without either (API clients with bearer tokens) through.
	csrf := http.NewCrossOriginProtection()
	if o := s.origin(); o != "" {
		_ = csrf.AddTrustedOrigin(o)
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.Logger, switchboard.Errorf(switchboard.EForbidden, "Cross-site request refused."))
	}))

	root := http.NewServeMux()
	root.Handle("/api/", csrf.Handler(api))
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	root.HandleFunc("GET /readyz", s.readyz)
	if s.MetricsElsewhere {
		root.Handle("/metrics", http.NotFoundHandler())
	} else {
		root.Handle("GET /metrics", metrics.Handler(s.Metrics, s.Logger))
	}
	root.Handle("/webhooks/whatsapp", s.webhook())
	for pattern, h := range s.Extra {
		root.Handle(pattern, h)
	}
	root.Handle("/", s.spa())
	return securityHeaders(metrics.Middleware(s.latency, routeLabel, bodyDeadline(bodyTimeout, root)))
}

// routeLabel names a request's route for metrics by its pattern, so ids do
// not explode the label set.
func routeLabel(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return "other"
}

func (s *Server) origin() string {
	u := strings.TrimRight(s.PublicURL, "/")
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			u = u[:i+3+j]
		}
		return u
	}
	return ""
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.PublicURL, "https://") }

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
		next.ServeHTTP(w, r)
	})
}

// readyz answers readiness probes. It is unauthenticated, so it says
// only whether the instance is ready: backup location, times, sizes and
// errors are for audit.read (GET /api/v1/backups/status) and /metrics, and
// the reason for being unready goes to the log.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Logger.Warn("not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDocument)
	return err
}

// fail answers a failed request (writeError), turning an internal error
// into 503 unavailable when the database does not answer a ping, or when
// the request itself failed because its database connection broke: right
// after an outage the pool may still hand out a connection that died with
// it, and by then a ping on a fresh connection succeeds, yet the request
// failed for the outage and is worth retrying, not an internal error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if s.Ping != nil && switchboard.ErrorCode(err) == switchboard.EInternal {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Second)
		perr := s.Ping(ctx)
		cancel()
		if perr == nil && connectionLost(err) {
			perr = errors.New("the request's connection broke")
		}
		if perr != nil {
			s.Logger.Error("request failed: database unavailable", "method", r.Method, "route", r.Pattern, "err", err, "ping", perr)
			w.Header().Set("Retry-After", "5")
			err = switchboard.Errorf(switchboard.EUnavailable, "The database is not reachable. Try again shortly.")
		}
	}
	writeError(w, r, s.Logger, err)
}

// connectionLost reports whether err comes from a connection that broke
// under the request (the peer went away mid-conversation), as opposed to
// an error the database or the code answered.
func connectionLost(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED)
}

// public wraps a handler that needs no session.
func (s *Server) public(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// authed wraps a handler that needs a signed-in user.
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.actor(r)
		if err == nil && a.EnrolmentOnly {
			err = errEnrolmentRequired()
		}
		if err == nil {
			err = h(w, r, a)
		}
		if err != nil {
			s.fail(w, r, err)
		}
	})
}

// sessionToken takes the token from "Authorization: Bearer" or the cookie.
func sessionToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) actor(r *http.Request) (*switchboard.Actor, error) {
	return s.Service.Authenticate(r.Context(), sessionToken(r), s.client(r))
}

func (s *Server) client(r *http.Request) inbox.Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	if s.TrustProxy {
		ip = s.forwardedFor(ip, r.Header.Values("X-Forwarded-For"))
	}
	return inbox.Client{IP: ip, UserAgent: r.UserAgent()}
}

// DefaultTrustedProxies are the addresses X-Forwarded-For is believed from
// when TrustProxy is on and TrustedProxies is empty: loopback and the
// private ranges, where a reverse proxy on the same host or in the same
// container network connects from. A client on the internet that reaches
// the server directly cannot choose its address this way.
var DefaultTrustedProxies = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("fc00::/7"),
}

// forwardedFor returns the client address behind trusted proxies: only
// when the connection comes from a trusted proxy, the rightmost
// X-Forwarded-For address that is not itself a trusted proxy (each proxy
// appends the address it saw, so entries further left are whatever the
// client sent). Anything unparsable ends the walk.
func (s *Server) forwardedFor(remote string, xff []string) string {
	trusted := s.TrustedProxies
	if len(trusted) == 0 {
		trusted = DefaultTrustedProxies
	}
	isTrusted := func(a string) bool {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return false
		}
		ip = ip.Unmap()
		for _, p := range trusted {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	if !isTrusted(remote) {
		return remote
	}
	var parts []string
	for _, h := range xff {
		parts = append(parts, strings.Split(h, ",")...)
	}
	ip := remote
	for i := len(parts) - 1; i >= 0; i-- {
		a := strings.TrimSpace(parts[i])
		if _, err := netip.ParseAddr(a); err != nil {
			break
		}
		ip = a
		if !isTrusted(a) {
			break
		}
	}
	return ip
}
