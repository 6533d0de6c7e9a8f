package api

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// reportQuery reads a report's query values.
func reportQuery(r *http.Request) inbox.ReportQuery {
	q := r.URL.Query()
	return inbox.ReportQuery{From: q.Get("from"), To: q.Get("to"), Interval: q.Get("interval"), TZ: q.Get("tz"), Channel: q.Get("channel")}
}

// wantsCSV reports whether the client asked for CSV: ?format=csv, or an
// Accept header that names text/csv (and no ?format=json).
func wantsCSV(r *http.Request) (bool, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
		for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/csv" {
				return true, nil
			}
		}
		return false, nil
	default:
		return false, switchboard.Errorf(switchboard.EInvalid, "format must be json or csv.")
	}
}

// table is a report that has a CSV form.
type table interface {
	Table() [][]string
}

// writeReport answers with the report as JSON, or as a CSV download whose
// export is audited.
func (s *Server) writeReport(w http.ResponseWriter, r *http.Request, a *switchboard.Actor, name string, asCSV bool, rep table, from, to, tz string) error {
	if !asCSV {
		writeJSON(w, http.StatusOK, rep)
		return nil
	}
	s.Service.ReportExported(r.Context(), a, name, from, to, tz, r.URL.Query().Get("channel"))
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
		"filename": "switchboard-" + name + "-" + from + "-" + to + ".csv"}))
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_ = cw.WriteAll(rep.Table())
	return nil
}

func (s *Server) reportConversations(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	rep, err := s.Service.ConversationsReport(r.Context(), a, reportQuery(r))
	if err != nil {
		return err
	}
	return s.writeReport(w, r, a, "conversations", asCSV, rep, rep.From, rep.To, rep.TZ)
}

func (s *Server) reportAgents(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	rep, err := s.Service.AgentsReport(r.Context(), a, reportQuery(r))
	if err != nil {
		return err
	}
	return s.writeReport(w, r, a, "agents", asCSV, rep, rep.From, rep.To, rep.TZ)
}

func (s *Server) reportMessages(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	rep, err := s.Service.MessagesReport(r.Context(), a, reportQuery(r))
	if err != nil {
		return err
	}
	return s.writeReport(w, r, a, "messages", asCSV, rep, rep.From, rep.To, rep.TZ)
}

func (s *Server) reportCosts(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	rep, err := s.Service.CostsReport(r.Context(), a, reportQuery(r))
	if err != nil {
		return err
	}
	return s.writeReport(w, r, a, "costs", asCSV, rep, rep.From, rep.To, rep.TZ)
}

func (s *Server) reportBots(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	rep, err := s.Service.BotsReport(r.Context(), a, reportQuery(r))
	if err != nil {
		return err
	}
	return s.writeReport(w, r, a, "bots", asCSV, rep, rep.From, rep.To, rep.TZ)
}
