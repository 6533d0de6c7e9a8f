package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
)

type handoffRequest struct {
	To      switchboard.Handler `json:"to"`
	Reason  string              `json:"reason"`
	Summary string              `json:"summary"`
}

func (s *Server) handOff(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req handoffRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.Service.HandOff(r.Context(), a, r.PathValue("id"), req.To, req.Reason, req.Summary)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) reportBotFailure(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.ReportBotFailure(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listSuggestions(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	pending := false
	switch r.URL.Query().Get("state") {
	case "":
	case string(switchboard.SuggestionPending):
		pending = true
	default:
		return switchboard.Errorf(switchboard.EInvalid, "state must be pending or absent.")
	}
	list, err := s.Service.Suggestions(r.Context(), a, r.PathValue("id"), pending)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

type suggestionRequest struct {
	Text      string `json:"text"`
	Rationale string `json:"rationale"`
}

func (s *Server) createSuggestion(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req suggestionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sg, err := s.Service.Suggest(r.Context(), a, r.PathValue("id"), req.Text, req.Rationale)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sg)
	return nil
}

type sendSuggestionRequest struct {
	Text *string `json:"text"`
}

func (s *Server) sendSuggestion(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req sendSuggestionRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			return err
		}
	}
	m, sg, err := s.Service.SendSuggestion(r.Context(), a, r.PathValue("id"), r.PathValue("sid"), req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": m, "suggestion": sg})
	return nil
}

func (s *Server) discardSuggestion(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	sg, err := s.Service.DiscardSuggestion(r.Context(), a, r.PathValue("id"), r.PathValue("sid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sg)
	return nil
}
