package api

import (
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// tokenRequest creates an API token.
type tokenRequest struct {
	Name          string                   `json:"name"`
	Scopes        []switchboard.Permission `json:"scopes"`
	ExpiresAt     *time.Time               `json:"expires_at"`
	RatePerMinute int                      `json:"rate_per_minute"`
}

func (q tokenRequest) input() inbox.NewToken {
	in := inbox.NewToken{Name: q.Name, Scopes: q.Scopes, RatePerMinute: q.RatePerMinute}
	if q.ExpiresAt != nil {
		in.ExpiresAt = *q.ExpiresAt
	}
	return in
}

// createdToken is the one answer that holds a token's secret.
type createdToken struct {
	Token  *switchboard.APIToken `json:"token"`
	Secret string                `json:"secret"`
}

func pathID(r *http.Request, name, kind string) (string, error) {
	id := r.PathValue(name)
	if !switchboard.ValidID(id) {
		return "", switchboard.NotFound(kind)
	}
	return id, nil
}

func (s *Server) listMyTokens(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	ts, err := s.Service.Tokens(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ts, ""))
	return nil
}

func (s *Server) createMyToken(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, secret, err := s.Service.CreateToken(r.Context(), a, req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdToken{Token: t, Secret: secret})
	return nil
}

func (s *Server) revokeMyToken(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	id, err := pathID(r, "id", "Token")
	if err != nil {
		return err
	}
	if err := s.Service.RevokeToken(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type serviceAccountRequest struct {
	Login       string `json:"login"`
	Name        string `json:"name"`
	RoleID      string `json:"role_id"`
	Description string `json:"description"`
	Bot         bool   `json:"bot"`
}

func (s *Server) listServiceAccounts(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	sas, err := s.Service.ServiceAccounts(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(sas, ""))
	return nil
}

func (s *Server) createServiceAccount(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req serviceAccountRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sa, err := s.Service.CreateServiceAccount(r.Context(), a, inbox.NewServiceAccount{
		Login: req.Login, Name: req.Name, RoleID: req.RoleID, Description: req.Description, Bot: req.Bot,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sa)
	return nil
}

func (s *Server) listServiceAccountTokens(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	id, err := pathID(r, "id", "Service account")
	if err != nil {
		return err
	}
	ts, err := s.Service.ServiceAccountTokens(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ts, ""))
	return nil
}

func (s *Server) createServiceAccountToken(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	id, err := pathID(r, "id", "Service account")
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, secret, err := s.Service.CreateServiceAccountToken(r.Context(), a, id, req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdToken{Token: t, Secret: secret})
	return nil
}

func (s *Server) revokeServiceAccountToken(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	id, err := pathID(r, "id", "Service account")
	if err != nil {
		return err
	}
	tokenID, err := pathID(r, "tokenId", "Token")
	if err != nil {
		return err
	}
	if err := s.Service.RevokeServiceAccountToken(r.Context(), a, id, tokenID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
