package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// labelRoutes are the routes of labels, bulk actions and saved views
// (label.go); the route table includes them.
func (s *Server) labelRoutes(auth func(authedHandler) http.Handler) []route {
	return []route{
		{"GET", "/api/v1/labels", auth(s.listLabels)},
		{"POST", "/api/v1/labels", auth(s.createLabel)},
		{"PUT", "/api/v1/labels/{id}", auth(s.updateLabel)},
		{"DELETE", "/api/v1/labels/{id}", auth(s.deleteLabel)},
		{"PUT", "/api/v1/conversations/{id}/labels/{labelId}", auth(s.addConversationLabel)},
		{"DELETE", "/api/v1/conversations/{id}/labels/{labelId}", auth(s.removeConversationLabel)},
		{"POST", "/api/v1/conversations/bulk", auth(s.bulkConversations)},
		{"GET", "/api/v1/me/views", auth(s.listSavedViews)},
		{"POST", "/api/v1/me/views", auth(s.createSavedView)},
		{"PATCH", "/api/v1/me/views/{id}", auth(s.updateSavedView)},
		{"DELETE", "/api/v1/me/views/{id}", auth(s.deleteSavedView)},
	}
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	list, err := s.Service.Labels(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

type labelRequest struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req labelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	l, err := s.Service.CreateLabel(r.Context(), a, inbox.LabelInput{Name: req.Name, Color: req.Color})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) updateLabel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req labelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	l, err := s.Service.UpdateLabel(r.Context(), a, r.PathValue("id"), inbox.LabelInput{Name: req.Name, Color: req.Color})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) deleteLabel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteLabel(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) addConversationLabel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	return s.setConversationLabel(w, r, a, true)
}

func (s *Server) removeConversationLabel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	return s.setConversationLabel(w, r, a, false)
}

func (s *Server) setConversationLabel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor, on bool) error {
	c, err := s.Service.SetLabel(r.Context(), a, r.PathValue("id"), r.PathValue("labelId"), on)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) bulkConversations(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		IDs     []string                       `json:"ids"`
		Action  string                         `json:"action"`
		UserID  string                         `json:"user_id"`
		LabelID string                         `json:"label_id"`
		Status  switchboard.ConversationStatus `json:"status"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	results, err := s.Service.Bulk(r.Context(), a, req.IDs, inbox.BulkAction{
		Action: req.Action, UserID: req.UserID, LabelID: req.LabelID, Status: req.Status})
	if err != nil {
		return err
	}
	failed := 0
	for _, res := range results {
		if !res.OK {
			failed++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "failed": failed})
	return nil
}

func (s *Server) listSavedViews(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	list, err := s.Service.SavedViews(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) createSavedView(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		Name   string                 `json:"name"`
		Filter switchboard.ViewFilter `json:"filter"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	v, err := s.Service.CreateSavedView(r.Context(), a, req.Name, req.Filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) updateSavedView(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		Name   *string                 `json:"name"`
		Filter *switchboard.ViewFilter `json:"filter"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Name == nil && req.Filter == nil {
		return switchboard.Errorf(switchboard.EInvalid, "Nothing to change: send name or filter.")
	}
	v, err := s.Service.UpdateSavedView(r.Context(), a, r.PathValue("id"), req.Name, req.Filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) deleteSavedView(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteSavedView(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listFilters reads the list's label, assignee, channel, unread and
// order parameters into f.
func listFilters(r *http.Request, f *switchboard.ConversationFilter) error {
	q := r.URL.Query()
	f.LabelID, f.AssigneeID, f.ChannelID = q.Get("label"), q.Get("assignee"), q.Get("channel")
	f.Sort = switchboard.ConversationSort(q.Get("sort"))
	switch q.Get("unread") {
	case "", "false":
	case "true":
		f.Unread = true
	default:
		return switchboard.Errorf(switchboard.EInvalid, "unread must be true or false.")
	}
	return nil
}
