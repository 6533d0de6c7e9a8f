package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
)

// getContactPanel returns the panel beside a conversation: its customer,
// their other conversations the user may see, notes and attributes.
func (s *Server) getContactPanel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	p, err := s.Service.ContactPanel(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

type contactNoteRequest struct {
	Text string `json:"text"`
}

func (s *Server) addContactNote(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req contactNoteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := s.Service.AddContactNote(r.Context(), a, r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n)
	return nil
}

func (s *Server) deleteContactNote(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteContactNote(r.Context(), a, r.PathValue("id"), r.PathValue("noteId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type contactAttributesRequest struct {
	Values map[string]string `json:"values"`
}

func (s *Server) setContactAttributes(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req contactAttributesRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	vals, err := s.Service.SetContactAttributes(r.Context(), a, r.PathValue("id"), req.Values)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": vals})
	return nil
}

func (s *Server) listAttributeDefs(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	defs, err := s.Service.AttributeDefs(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": defs})
	return nil
}

type attributeDefRequest struct {
	Name    string                    `json:"name"`
	Type    switchboard.AttributeType `json:"type"`
	Options []string                  `json:"options"`
}

func (s *Server) createAttributeDef(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req attributeDefRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d := &switchboard.AttributeDef{Name: req.Name, Type: req.Type, Options: req.Options}
	if err := s.Service.CreateAttributeDef(r.Context(), a, d); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) updateAttributeDef(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req attributeDefRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := s.Service.UpdateAttributeDef(r.Context(), a, &switchboard.AttributeDef{
		ID: r.PathValue("id"), Name: req.Name, Type: req.Type, Options: req.Options})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) deleteAttributeDef(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteAttributeDef(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
