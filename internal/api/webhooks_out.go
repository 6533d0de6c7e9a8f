package api

import (
	"net/http"
	"strconv"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// Outgoing webhook subscriptions, their delivery log and redelivery.

func (s *Server) listWebhooksOut(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	subs, err := s.Service.WebhookSubscriptions(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(subs, ""))
	return nil
}

func (s *Server) createWebhookOut(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var in inbox.WebhookInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	sub, err := s.Service.CreateWebhook(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sub)
	return nil
}

func (s *Server) getWebhookOut(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	sub, err := s.Service.WebhookSubscription(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) updateWebhookOut(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var in inbox.WebhookInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	sub, err := s.Service.UpdateWebhook(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) deleteWebhookOut(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteWebhook(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rotateWebhookOutSecret(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	sub, err := s.Service.RotateWebhookSecret(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) listWebhookOutDeliveries(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return switchboard.Errorf(switchboard.EInvalid, "limit must be a number from 1 to 200.")
		}
		limit = n
	}
	ds, err := s.Service.WebhookDeliveries(r.Context(), a, r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ds, ""))
	return nil
}

func (s *Server) redeliverWebhookOut(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	d, err := s.Service.Redeliver(r.Context(), a, r.PathValue("id"), r.PathValue("delivery"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}
