package reports

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
)

// AgentRow is one employee's statistics over a report's range.
type AgentRow struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
	switchboard.ReportAgentFacts
	// FirstResponse summarises the first-response times of the
	// conversations opened in the range whose first response was this
	// user's.
	FirstResponse Durations `json:"first_response"`
	// LastSeenAt is when the user was last active; nil if never.
	LastSeenAt *time.Time `json:"last_seen_at"`
}

// AgentsReport lists per-employee statistics.
type AgentsReport struct {
	From   string     `json:"from"`
	To     string     `json:"to"`
	TZ     string     `json:"tz"`
	Agents []AgentRow `json:"agents"`
}

// Agents computes the per-employee report for users (nil facts or
// conversations are fine). Every user in users gets a row, so a quiet
// employee shows zeros; a deactivated one stays in the report with the
// figures of the time they were active.
func Agents(r Range, users []*switchboard.User, facts []switchboard.ReportAgentFacts, convs []switchboard.ReportConversation) *AgentsReport {
	byUser := map[string]switchboard.ReportAgentFacts{}
	for _, f := range facts {
		byUser[f.UserID] = f
	}
	first := map[string][]time.Duration{}
	for _, c := range convs {
		if c.FirstResponderID == "" || c.FirstInboundAt.IsZero() || c.FirstResponseAt.IsZero() || !r.Contains(c.OpenedAt) {
			continue
		}
		first[c.FirstResponderID] = append(first[c.FirstResponderID], max(c.FirstResponseAt.Sub(c.FirstInboundAt), 0))
	}
	out := &AgentsReport{From: r.FromDate, To: r.ToDate, TZ: r.Location.String(), Agents: []AgentRow{}}
	for _, u := range users {
		f := byUser[u.ID]
		f.UserID = u.ID
		row := AgentRow{UserID: u.ID, Name: u.Name, Active: u.Active, ReportAgentFacts: f, FirstResponse: Summarise(first[u.ID])}
		if !f.LastSeenAt.IsZero() {
			t := f.LastSeenAt
			row.LastSeenAt = &t
		}
		out.Agents = append(out.Agents, row)
	}
	slices.SortFunc(out.Agents, func(a, b AgentRow) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID))
	})
	return out
}

// Table returns the report as CSV rows.
func (rep *AgentsReport) Table() [][]string {
	rows := [][]string{{"user_id", "name", "active", "assigned", "replied", "resolved", "messages_sent",
		"first_response_count", "first_response_median_seconds", "sessions_started", "last_seen_at"}}
	for _, a := range rep.Agents {
		rows = append(rows, []string{a.UserID, a.Name, strconv.FormatBool(a.Active), strconv.Itoa(a.Assigned),
			strconv.Itoa(a.Replied), strconv.Itoa(a.Resolved), strconv.Itoa(a.MessagesSent),
			strconv.Itoa(a.FirstResponse.Count), secondsCell(a.FirstResponse.MedianSeconds),
			strconv.Itoa(a.SessionsStarted), timeCell(a.LastSeenAt)})
	}
	return rows
}
