package api

import (
	"net/http"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
)

// backupStatus answers GET /api/v1/backups/status: the result of the
// scheduled backups. The permission catalogue has no backup permission;
// the status is shown to whoever may read the audit log (audit.read), the
// permission for checking that the installation keeps its records safe.
// Built in, only administrators have it.
func (s *Server) backupStatus(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if !a.Can(switchboard.PermAuditRead) {
		return switchboard.Errorf(switchboard.EForbidden, "You are not allowed to do this.")
	}
	writeJSON(w, http.StatusOK, s.backupState())
	return nil
}

// backupState is the backup status, or {"enabled": false} when scheduled
// backups are off.
func (s *Server) backupState() backup.Status {
	if s.Backups == nil {
		return backup.Status{}
	}
	return s.Backups()
}
