// Package mcpserver serves Switchboard to AI assistants over the Model
// Context Protocol (streamable HTTP, stateless as in the 2026-07-28
// revision) at /mcp, with the official Go SDK. Callers authenticate with
// an API token on every request; each tool is a thin translation to the
// same inbox.Service use case the REST API calls, so authorisation, rate
// limits and audit are exactly those of REST.
package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// Path is where the MCP endpoint is mounted.
const Path = "/mcp"

// maxBody bounds an MCP request body; tool arguments are small.
const maxBody = 1 << 20

// Server is the MCP endpoint. Service is required.
type Server struct {
	Service *inbox.Service
	Logger  *slog.Logger
	// Version is the build, reported to clients.
	Version string
	// TrustProxy takes the client address from X-Forwarded-For, as the
	// REST API does.
	TrustProxy bool
}

type actorKey struct{}

const actorExtra = "switchboard.actor"

// Handler returns the /mcp handler: token authentication, then the SDK's
// streamable HTTP transport.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "switchboard", Title: "Switchboard team inbox", Version: s.Version}, &mcp.ServerOptions{
		Instructions: "Tools for a WhatsApp team inbox. You act as the API token's owner, narrowed to its scopes; " +
			"conversations you may not see do not exist for you. Replies are sent to real customers: only free text within " +
			"the 24-hour customer-service window.",
	})
	s.addTools(srv)
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		Stateless:           true,
		JSONResponse:        true,
		Logger:              s.Logger,
		MaxRequestBodyBytes: maxBody,
		// Every request must carry an API token in the Authorization
		// header, which a page reached by DNS rebinding cannot add; and
		// behind a reverse proxy on the same host every request arrives
		// from a loopback address with the public Host, which the SDK's
		// protection would refuse.
		DisableLocalhostProtection: true,
	})
	verified := auth.RequireBearerToken(func(ctx context.Context, _ string, r *http.Request) (*auth.TokenInfo, error) {
		a, ok := r.Context().Value(actorKey{}).(*switchboard.Actor)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: a.User.ID, Extra: map[string]any{actorExtra: a}}, nil
	}, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h)
	return s.authenticate(verified)
}

// authenticate checks the API token of every request with
// Service.Authenticate (revocation, expiry, owner, rate limit) before the
// SDK sees it; session tokens are refused here.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		token = strings.TrimSpace(token)
		if !strings.HasPrefix(token, switchboard.APITokenPrefix) {
			writeError(w, switchboard.Errorf(switchboard.EUnauthorized, "The MCP endpoint needs an API token (sbt_…) in Authorization: Bearer."))
			return
		}
		a, err := s.Service.Authenticate(r.Context(), token, s.client(r))
		if err != nil {
			if switchboard.ErrorCode(err) == switchboard.EInternal {
				s.Logger.Error("mcp authenticate", "err", err)
			}
			writeError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, a)))
	})
}

func writeError(w http.ResponseWriter, err error) {
	code := switchboard.ErrorCode(err)
	status := http.StatusInternalServerError
	switch code {
	case switchboard.EUnauthorized:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	case switchboard.ERateLimited:
		status = http.StatusTooManyRequests
		var e *switchboard.Error
		if errors.As(err, &e) && e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
		}
	case switchboard.EUnavailable:
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	body.Error.Code, body.Error.Message = code, switchboard.ErrorMessage(err)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) client(r *http.Request) inbox.Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	if s.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if last := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(last) != nil {
				ip = last
			}
		}
	}
	return inbox.Client{IP: ip, UserAgent: r.UserAgent()}
}

// actorOf returns the actor the authenticate middleware put on the
// request; a request without one never reaches a tool.
func actorOf(extra *mcp.RequestExtra) (*switchboard.Actor, error) {
	if extra != nil && extra.TokenInfo != nil {
		if a, ok := extra.TokenInfo.Extra[actorExtra].(*switchboard.Actor); ok {
			return a, nil
		}
	}
	return nil, errors.New("unauthorized: no API token")
}

// toolError turns a service error into the text a tool result carries:
// the domain code and the user-facing message, never internal details.
func (s *Server) toolError(err error) error {
	code := switchboard.ErrorCode(err)
	if code == switchboard.EInternal {
		s.Logger.Error("mcp tool", "err", err)
	}
	return errors.New(code + ": " + switchboard.ErrorMessage(err))
}
