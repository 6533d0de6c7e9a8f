package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
)

// eraseContact erases a contact (GDPR article 17); it needs
// privacy.manage.
func (s *Server) eraseContact(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	res, err := s.Service.EraseContact(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	if s.AfterErasure != nil {
		s.AfterErasure(r.Context())
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"contact_id": res.ContactID, "conversations": res.Conversations,
		"messages": res.Messages, "media_files": len(res.MediaIDs),
	})
	return nil
}
