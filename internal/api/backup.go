package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
)

// backupStatus answers GET /api/v1/backups/status: the result of the
// scheduled backups, for whom inbox.Service.BackupStatus allows.
func (s *Server) backupStatus(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	st, err := s.Service.BackupStatus(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
