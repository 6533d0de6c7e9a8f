package reports

import (
	"cmp"
	"context"
	"encoding/binary"
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
	first := map[string][]time.Duration{}
	for _, c := range convs {
		if c.FirstResponderID == "" || c.FirstInboundAt.IsZero() || c.FirstResponseAt.IsZero() || !r.Contains(c.OpenedAt) {
			continue
		}
		first[c.FirstResponderID] = append(first[c.FirstResponderID], max(c.FirstResponseAt.Sub(c.FirstInboundAt), 0))
	}
	return agentRows(r, users, facts, first)
}

// agentRows is the agents report of users from their facts and their
// first-response times (which it reorders).
func agentRows(r Range, users []*switchboard.User, facts []switchboard.ReportAgentFacts, first map[string][]time.Duration) *AgentsReport {
	byUser := map[string]switchboard.ReportAgentFacts{}
	for _, f := range facts {
		byUser[f.UserID] = f
	}
	out := &AgentsReport{From: r.FromDate, To: r.ToDate, TZ: r.Location.String(), Agents: []AgentRow{}}
	for _, u := range users {
		f := byUser[u.ID]
		f.UserID = u.ID
		row := AgentRow{UserID: u.ID, Name: u.Name, Active: u.Active, ReportAgentFacts: f, FirstResponse: summariseInPlace(first[u.ID])}
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

// The rollups keep, per UTC day, channel, employee and kind
// ([switchboard.AgentAssigned], [switchboard.AgentReplied],
// [switchboard.AgentResolved]), the conversations with how often, in a
// [switchboard.ReportDaySet]: distinct conversations over a range do not
// add up from counters, but the union of the days' sets is exact. The at
// most two UTC days a range cuts are read from the facts.

// agentSetVersion is the first byte of an employee's day set.
const agentSetVersion = 1

// agentKinds are the kinds of the employees' day sets.
var agentKinds = []string{switchboard.AgentAssigned, switchboard.AgentReplied, switchboard.AgentResolved}

// packAgentPairs packs the pairs of the UTC day day into sets: the
// conversation ids (length and bytes) and counts as varints.
func packAgentPairs(day time.Time, pairs []switchboard.ReportAgentPair) []switchboard.ReportDaySet {
	type key struct{ ch, kind, user string }
	order, groups := groupBy(pairs, func(p switchboard.ReportAgentPair) key { return key{p.ChannelID, p.Kind, p.UserID} })
	out := make([]switchboard.ReportDaySet, 0, len(order))
	for _, k := range order {
		ps := groups[k]
		slices.SortFunc(ps, func(a, b switchboard.ReportAgentPair) int { return cmp.Compare(a.ConversationID, b.ConversationID) })
		data := []byte{agentSetVersion}
		for _, p := range ps {
			data = binary.AppendUvarint(data, uint64(len(p.ConversationID)))
			data = append(data, p.ConversationID...)
			data = binary.AppendUvarint(data, uint64(max(p.Count, 0)))
		}
		out = append(out, switchboard.ReportDaySet{Day: day, ChannelID: k.ch, Kind: k.kind, UserID: k.user, Data: data})
	}
	return out
}

// agentTally counts one employee's conversations over a range.
type agentTally struct {
	assigned, replied map[string]struct{}
	sent, resolved    int
}

type agentTallies map[string]*agentTally

func (t agentTallies) add(kind, user string, conv []byte, n int) {
	a := t[user]
	if a == nil {
		a = &agentTally{assigned: map[string]struct{}{}, replied: map[string]struct{}{}}
		t[user] = a
	}
	switch kind {
	case switchboard.AgentAssigned:
		if _, ok := a.assigned[string(conv)]; !ok {
			a.assigned[string(conv)] = struct{}{}
		}
	case switchboard.AgentReplied:
		if _, ok := a.replied[string(conv)]; !ok {
			a.replied[string(conv)] = struct{}{}
		}
		a.sent += n
	case switchboard.AgentResolved:
		a.resolved += n
	}
}

// reserve sizes each employee's sets of conversations for the entries of
// the day sets (an upper bound: a conversation may be in several days), so
// they do not grow by rehashing.
func (t agentTallies) reserve(sets []switchboard.ReportDaySet) {
	type key struct{ user, kind string }
	n := map[key]int{}
	for _, set := range sets {
		if set.Kind != switchboard.AgentAssigned && set.Kind != switchboard.AgentReplied {
			continue
		}
		n[key{set.UserID, set.Kind}] += agentEntries(set.Data)
	}
	for k, c := range n {
		a := t[k.user]
		if a == nil {
			a = &agentTally{assigned: map[string]struct{}{}, replied: map[string]struct{}{}}
			t[k.user] = a
		}
		if k.kind == switchboard.AgentAssigned {
			a.assigned = make(map[string]struct{}, c)
		} else {
			a.replied = make(map[string]struct{}, c)
		}
	}
}

// agentEntries counts the entries of an employee's day set (0 if it does
// not decode; addSet reports that).
func agentEntries(data []byte) int {
	if len(data) == 0 || data[0] != agentSetVersion {
		return 0
	}
	n := 0
	for data = data[1:]; len(data) > 0; n++ {
		l, k := binary.Uvarint(data)
		if k <= 0 || uint64(len(data)-k) < l {
			return n
		}
		data = data[k+int(l):]
		if _, k = binary.Uvarint(data); k <= 0 {
			return n
		}
		data = data[k:]
	}
	return n
}

func (t agentTallies) addSet(set switchboard.ReportDaySet) error {
	data := set.Data
	if len(data) == 0 || data[0] != agentSetVersion {
		return errDaySet
	}
	data = data[1:]
	for len(data) > 0 {
		l, n := binary.Uvarint(data)
		if n <= 0 || uint64(len(data)-n) < l {
			return errDaySet
		}
		conv := data[n : n+int(l)]
		data = data[n+int(l):]
		c, n := binary.Uvarint(data)
		if n <= 0 {
			return errDaySet
		}
		data = data[n:]
		t.add(set.Kind, set.UserID, conv, int(c))
	}
	return nil
}

// AgentsFromRollup computes the agents report from the rollups: sessions
// holds the sign-ins and last seen ([switchboard.ReportStore.ReportSessions]),
// sets the employees' day sets of the whole UTC days within the range,
// edges the pairs of the rest of the range (read from the facts), durs the
// first responses. It answers exactly what [Agents] answers from the facts.
func AgentsFromRollup(r Range, users []*switchboard.User, sessions []switchboard.ReportAgentFacts, sets []switchboard.ReportDaySet,
	edges []switchboard.ReportAgentPair, durs []switchboard.ReportDuration) (*AgentsReport, error) {
	t := agentTallies{}
	t.reserve(sets)
	for _, set := range sets {
		if err := t.addSet(set); err != nil {
			return nil, err
		}
	}
	for _, p := range edges {
		t.add(p.Kind, p.UserID, []byte(p.ConversationID), p.Count)
	}
	facts := slices.Clone(sessions)
	seen := map[string]int{}
	for i, f := range facts {
		seen[f.UserID] = i
	}
	for id, a := range t {
		i, ok := seen[id]
		if !ok {
			i = len(facts)
			facts = append(facts, switchboard.ReportAgentFacts{UserID: id})
		}
		f := &facts[i]
		f.Assigned, f.Replied, f.MessagesSent, f.Resolved = len(a.assigned), len(a.replied), a.sent, a.resolved
	}
	// The first responses per responder, each list sized at once.
	firsts := func(d switchboard.ReportDuration) bool {
		return d.Kind == KindFirst && d.UserID != "" && r.Contains(d.At)
	}
	n := map[string]int{}
	for _, d := range durs {
		if firsts(d) {
			n[d.UserID]++
		}
	}
	first := make(map[string][]time.Duration, len(n))
	for id, c := range n {
		first[id] = make([]time.Duration, 0, c)
	}
	for _, d := range durs {
		if firsts(d) {
			first[d.UserID] = append(first[d.UserID], time.Duration(d.Seconds)*time.Second)
		}
	}
	return agentRows(r, users, facts, first), nil
}

// wholeDays splits [from, to) into the whole UTC days within it and the
// parts before and after them (empty scopes have From = To).
func wholeDays(from, to time.Time) (days, before, after [2]time.Time) {
	first, last := dayOf(from), dayOf(to)
	if first.Before(from) {
		first = first.Add(24 * time.Hour)
	}
	if !first.Before(last) {
		return [2]time.Time{first, first}, [2]time.Time{from, to}, [2]time.Time{to, to}
	}
	return [2]time.Time{first, last}, [2]time.Time{from, first}, [2]time.Time{last, to}
}

// Agents reads the agents report of r over channels (nil: all) for users
// from the rollups as they are; the at most two partial UTC days at the
// range's ends and the sign-ins come from the facts.
func (ro *Rollups) Agents(ctx context.Context, r Range, channels []string, users []*switchboard.User) (*AgentsReport, error) {
	sc := r.Scope(channels)
	sessions, err := ro.Store.ReportSessions(ctx, sc)
	if err != nil {
		return nil, err
	}
	days, before, after := wholeDays(r.Start, r.End)
	var sets []switchboard.ReportDaySet
	if days[0].Before(days[1]) {
		ds := sc
		ds.From, ds.To = days[0], days[1]
		if sets, err = ro.Store.ReportDaySets(ctx, ds, agentKinds); err != nil {
			return nil, err
		}
	}
	var edges []switchboard.ReportAgentPair
	for _, e := range [][2]time.Time{before, after} {
		if !e[0].Before(e[1]) {
			continue
		}
		es := sc
		es.From, es.To = e[0], e[1]
		ps, err := ro.Store.ReportAgentPairs(ctx, es)
		if err != nil {
			return nil, err
		}
		edges = append(edges, ps...)
	}
	firsts := sc
	firsts.Users = true
	durs, err := ReadDurations(ctx, ro.Store, firsts, KindFirst)
	if err != nil {
		return nil, err
	}
	return AgentsFromRollup(r, users, sessions, sets, edges, durs)
}
