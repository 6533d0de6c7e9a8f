package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
)

type noteRequest struct {
	Text     string   `json:"text"`
	Mentions []string `json:"mentions"`
}

// addNote writes a private note in a conversation's thread; it never goes
// to WhatsApp.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req noteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := s.Service.AddNote(r.Context(), a, r.PathValue("id"), req.Text, req.Mentions)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) listMentionable(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	limit, err := queryLimit(r, 20)
	if err != nil {
		return err
	}
	users, err := s.Service.Mentionable(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("q"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": users})
	return nil
}

func (s *Server) dismissMention(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DismissMention(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listMentions(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	list, err := s.Service.Mentions(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) markMentionRead(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.MarkMentionRead(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
