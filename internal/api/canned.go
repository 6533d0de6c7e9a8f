package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

type cannedRequest struct {
	Scope    switchboard.CannedScope `json:"scope"`
	Shortcut string                  `json:"shortcut"`
	Title    string                  `json:"title"`
	Text     string                  `json:"text"`
}

func (c cannedRequest) input() inbox.CannedInput {
	return inbox.CannedInput{Scope: c.Scope, Shortcut: c.Shortcut, Title: c.Title, Text: c.Text}
}

// listCannedReplies lists the shared canned replies and the caller's own.
func (s *Server) listCannedReplies(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.Service.CannedReplies(r.Context(), a, switchboard.CannedScope(q.Get("scope")), q.Get("q"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) createCannedReply(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req cannedRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.Service.CreateCannedReply(r.Context(), a, req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCannedReply(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.CannedReply(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateCannedReply(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		Shortcut string `json:"shortcut"`
		Title    string `json:"title"`
		Text     string `json:"text"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.Service.UpdateCannedReply(r.Context(), a, r.PathValue("id"),
		inbox.CannedInput{Shortcut: req.Shortcut, Title: req.Title, Text: req.Text})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCannedReply(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteCannedReply(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// renderCannedReply returns a canned reply's text with the conversation's
// variables filled in, for the composer to insert.
func (s *Server) renderCannedReply(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	text, err := s.Service.RenderCannedReply(r.Context(), a, r.PathValue("id"), r.PathValue("replyId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"text": text})
	return nil
}

func (s *Server) getDraft(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	d, err := s.Service.Draft(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		Text string `json:"text"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := s.Service.SaveDraft(r.Context(), a, r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// composerActivity announces to the others who see the conversation that
// the caller is writing a reply or a note.
func (s *Server) composerActivity(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		Kind string `json:"kind"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.Service.ComposerActivity(r.Context(), a, r.PathValue("id"), req.Kind); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
