package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
)

// retryMessage sends a message whose outcome is unknown again, on the
// user's deliberate request (POST /api/v1/messages/{id}/retry).
func (s *Server) retryMessage(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	m, err := s.Service.RetryUnknown(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, m)
	return nil
}
