package api

import (
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard"
)

// Routing endpoints (docs/routing.md): teams, the user's availability, a
// conversation's team and a channel's automatic assignment.

type teamRequest struct {
	Name      string   `json:"name"`
	MemberIDs []string `json:"member_ids"`
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	teams, err := s.Service.Teams(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": teams})
	return nil
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req teamRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := s.Service.CreateTeam(r.Context(), a, &switchboard.Team{Name: req.Name, MemberIDs: req.MemberIDs})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req teamRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := s.Service.UpdateTeam(r.Context(), a, &switchboard.Team{ID: r.PathValue("id"), Name: req.Name, MemberIDs: req.MemberIDs})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteTeam(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setAvailability(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		Availability switchboard.Availability `json:"availability"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.Service.SetAvailability(r.Context(), a, req.Availability); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"availability": req.Availability})
	return nil
}

func (s *Server) setConversationTeam(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req struct {
		TeamID string `json:"team_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.Service.AssignTeam(r.Context(), a, r.PathValue("id"), req.TeamID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// routingJSON is a channel's automatic assignment on the wire: the
// re-offer time in minutes.
type routingJSON struct {
	Mode           switchboard.AutoAssignMode `json:"mode"`
	TeamIDs        []string                   `json:"team_ids"`
	RoleIDs        []string                   `json:"role_ids"`
	Capacity       int                        `json:"capacity"`
	ReofferMinutes int                        `json:"reoffer_minutes"`
}

func toRoutingJSON(rs *switchboard.RoutingSettings) routingJSON {
	return routingJSON{Mode: rs.Mode, TeamIDs: rs.TeamIDs, RoleIDs: rs.RoleIDs, Capacity: rs.Capacity, ReofferMinutes: int(rs.ReofferAfter / time.Minute)}
}

func (s *Server) getChannelRouting(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	rs, err := s.Service.ChannelRouting(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRoutingJSON(rs))
	return nil
}

func (s *Server) setChannelRouting(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req routingJSON
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.ReofferMinutes < 0 || req.ReofferMinutes > 7*24*60 {
		return switchboard.ErrRoutingSettings
	}
	rs, err := s.Service.SetChannelRouting(r.Context(), a, &switchboard.RoutingSettings{ChannelID: r.PathValue("id"), Mode: req.Mode,
		TeamIDs: req.TeamIDs, RoleIDs: req.RoleIDs, Capacity: req.Capacity, ReofferAfter: time.Duration(req.ReofferMinutes) * time.Minute})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRoutingJSON(rs))
	return nil
}
