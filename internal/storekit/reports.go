package storekit

import (
	"time"

	"github.com/switchboardhq/switchboard"
)

// AgentFacts gathers the report facts per user from the several queries
// ReportAgents runs.
type AgentFacts map[string]*switchboard.ReportAgentFacts

// Get returns the user's facts, adding them on first use.
func (a AgentFacts) Get(id string) *switchboard.ReportAgentFacts {
	f := a[id]
	if f == nil {
		f = &switchboard.ReportAgentFacts{UserID: id}
		a[id] = f
	}
	return f
}

// Seen moves the user's last-seen time forward to t.
func (a AgentFacts) Seen(id string, t time.Time) {
	if f := a.Get(id); t.After(f.LastSeenAt) {
		f.LastSeenAt = t
	}
}

// List returns the gathered facts.
func (a AgentFacts) List() []switchboard.ReportAgentFacts {
	out := make([]switchboard.ReportAgentFacts, 0, len(a))
	for _, f := range a {
		out = append(out, *f)
	}
	return out
}
