package api

import (
	"encoding/json"
	"net/http"

	"github.com/switchboardhq/switchboard"
)

// Passkeys (WebAuthn): the user's own under /api/v1/me/passkeys and the
// passkey second step of a sign-in under /api/v1/session/passkey. The
// options are WebAuthn's JSON forms (camelCase, binary as base64url), so
// the browser can hand them to navigator.credentials as they are.

type passkeyOptionsResponse struct {
	PublicKey any `json:"public_key"`
}

func (s *Server) listPasskeys(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	list, err := s.Service.ListPasskeys(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) passkeyRegistrationOptions(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	o, err := s.Service.BeginPasskeyRegistration(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, passkeyOptionsResponse{PublicKey: o})
	return nil
}

type registerPasskeyRequest struct {
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

func (s *Server) registerPasskey(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req registerPasskeyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	v, err := s.Service.FinishPasskeyRegistration(r.Context(), a, req.Name, req.Credential)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

type deletePasskeyRequest struct {
	Password string `json:"password"`
}

func (s *Server) deletePasskey(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req deletePasskeyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.Service.DeletePasskey(r.Context(), a, r.PathValue("id"), req.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type passkeySignInRequest struct {
	Challenge  string          `json:"challenge"`
	Credential json.RawMessage `json:"credential"`
}

func (s *Server) passkeySignInOptions(w http.ResponseWriter, r *http.Request) error {
	var req passkeySignInRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := s.Service.BeginPasskeySignIn(r.Context(), req.Challenge)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, passkeyOptionsResponse{PublicKey: o})
	return nil
}

func (s *Server) loginPasskey(w http.ResponseWriter, r *http.Request) error {
	var req passkeySignInRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	token, u, err := s.Service.LoginPasskey(r.Context(), req.Challenge, req.Credential, s.client(r))
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token, s.Service.SessionMax)
	writeJSON(w, http.StatusCreated, loginResponse{Token: token, User: u})
	return nil
}
