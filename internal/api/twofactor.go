package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// Two-factor sign-in: the second step of POST /api/v1/session, the
// user's own enrolment under /api/v1/me/two-factor, the role flag and the
// administrators' reset.

// secondFactorResponse answers POST /api/v1/session for a user with
// two-factor sign-in on: no session yet, a challenge for the second step.
type secondFactorResponse struct {
	SecondFactorRequired bool      `json:"second_factor_required"`
	Challenge            string    `json:"challenge"`
	ExpiresAt            time.Time `json:"expires_at"`
	// Methods are the second factors the user has: "totp", "recovery",
	// "passkey".
	Methods []string `json:"methods"`
}

// secondFactorChallenge writes the challenge if err is one, and reports
// whether it did.
func secondFactorChallenge(w http.ResponseWriter, err error) bool {
	var sf *inbox.SecondFactorRequired
	if !errors.As(err, &sf) {
		return false
	}
	methods := sf.Methods
	if methods == nil {
		methods = []string{}
	}
	writeJSON(w, http.StatusOK, secondFactorResponse{SecondFactorRequired: true, Challenge: sf.Challenge, ExpiresAt: sf.ExpiresAt, Methods: methods})
	return true
}

type secondFactorRequest struct {
	Challenge string `json:"challenge"`
	Code      string `json:"code"`
}

func (s *Server) loginSecondFactor(w http.ResponseWriter, r *http.Request) error {
	var req secondFactorRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	token, u, err := s.Service.LoginSecondFactor(r.Context(), req.Challenge, req.Code, s.client(r))
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token, s.Service.SessionMax)
	writeJSON(w, http.StatusCreated, loginResponse{Token: token, User: u})
	return nil
}

// enrolment wraps a handler that a session limited to two-factor
// enrolment may still use; every other authenticated route refuses such a
// session (see authed).
func (s *Server) enrolment(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.actor(r)
		if err == nil {
			err = h(w, r, a)
		}
		if err != nil {
			s.fail(w, r, err)
		}
	})
}

func errEnrolmentRequired() error {
	return switchboard.Errorf(switchboard.ETwoFactorEnrolment,
		"Your role requires two-factor sign-in. Set it up under My account before you continue.")
}

func (s *Server) twoFactorStatus(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	st, err := s.Service.TwoFactorStatus(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) beginTwoFactor(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	en, err := s.Service.BeginTwoFactor(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, en)
	return nil
}

type twoFactorCodeRequest struct {
	Code     string `json:"code"`
	Password string `json:"password"`
}

func (s *Server) confirmTwoFactor(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req twoFactorCodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	codes, err := s.Service.ConfirmTwoFactor(r.Context(), a, req.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]string{"recovery_codes": codes})
	return nil
}

func (s *Server) disableTwoFactor(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req twoFactorCodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.Service.DisableTwoFactor(r.Context(), a, req.Password, req.Code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) resetTwoFactor(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.ResetTwoFactor(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type roleTwoFactorRequest struct {
	RequireTwoFactor *bool `json:"require_two_factor"`
}

func (s *Server) setRoleTwoFactor(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req roleTwoFactorRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.RequireTwoFactor == nil {
		return switchboard.Errorf(switchboard.EInvalid, "require_two_factor is required.")
	}
	role, err := s.Service.SetRoleRequireTwoFactor(r.Context(), a, r.PathValue("id"), *req.RequireTwoFactor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, role)
	return nil
}
