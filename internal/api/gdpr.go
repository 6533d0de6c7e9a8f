package api

import (
	"mime"
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
	writeJSON(w, http.StatusOK, map[string]any{
		"contact_id": res.ContactID, "conversations": res.Conversations,
		"messages": res.Messages, "media_files": len(res.MediaIDs),
	})
	return nil
}

// exportContact streams everything stored about a contact as a zip (GDPR
// articles 15 and 20); it needs privacy.manage. The rows are read before
// the first byte is written, so database errors get a normal error
// response; an error while streaming the media files aborts the
// connection, so the client sees a failed download rather than a
// truncated archive that looks complete.
func (s *Server) exportContact(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	exp, err := s.Service.ExportContact(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": exp.Filename()}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if err := exp.WriteZip(r.Context(), w); err != nil {
		s.Logger.Error("contact export failed while streaming; aborting the response", "contact_id", exp.Contact.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// getContact returns a contact's profile: marketing preference and
// identity history.
func (s *Server) getContact(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	p, err := s.Service.ContactProfile(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
