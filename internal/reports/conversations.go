package reports

import (
	"slices"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
)

// ConversationPeriod is one period of the conversations report.
type ConversationPeriod struct {
	Period string `json:"period"` // local start date of the period
	// Opened counts conversations created in the period.
	Opened int `json:"opened"`
	// Resolved counts closes in the period (a conversation closed, reopened
	// and closed again counts twice).
	Resolved int `json:"resolved"`
	// Reopened counts reopens in the period, by a user or by the customer
	// writing to a closed conversation.
	Reopened int `json:"reopened"`
	// Unanswered counts conversations opened in the period whose customer
	// wrote and got no response yet.
	Unanswered int `json:"unanswered"`
	// FirstResponse summarises, over the conversations opened in the
	// period, the time from the customer's first message to the first
	// response.
	FirstResponse Durations `json:"first_response"`
	// Resolution summarises, over the closes in the period, the time from
	// the conversation's opening (or its latest reopening) to the close.
	Resolution Durations `json:"resolution"`
}

// ChannelTotals are the conversations report's figures of one channel over
// the whole range.
type ChannelTotals struct {
	ChannelID string `json:"channel_id"`
	ConversationPeriod
}

// ConversationsReport counts conversations and their times per period.
type ConversationsReport struct {
	From     string               `json:"from"`
	To       string               `json:"to"`
	Interval Interval             `json:"interval"`
	TZ       string               `json:"tz"`
	Periods  []ConversationPeriod `json:"periods"`
	Channels []ChannelTotals      `json:"channels"`
	Total    ConversationPeriod   `json:"total"`
}

// acc accumulates one row of the conversations report.
type acc struct {
	row        ConversationPeriod
	first, res []time.Duration
}

func (a *acc) done() ConversationPeriod {
	a.row.FirstResponse, a.row.Resolution = Summarise(a.first), Summarise(a.res)
	return a.row
}

// Conversations computes the conversations report from the conversations
// opened in the range and the status changes of the range (see
// [switchboard.ReportStore]).
func Conversations(r Range, convs []switchboard.ReportConversation, changes []switchboard.ReportStatusChange) *ConversationsReport {
	periods := r.Periods()
	byPeriod := make(map[string]*acc, len(periods))
	for _, p := range periods {
		byPeriod[p] = &acc{row: ConversationPeriod{Period: p}}
	}
	byChannel := map[string]*acc{}
	var total acc
	// each calls fn for the accumulators an event at t on channel counts in.
	each := func(t time.Time, channel string, fn func(a *acc)) {
		if !r.Contains(t) {
			return
		}
		ch := byChannel[channel]
		if ch == nil {
			ch = &acc{}
			byChannel[channel] = ch
		}
		for _, a := range []*acc{byPeriod[r.Period(t)], ch, &total} {
			if a != nil {
				fn(a)
			}
		}
	}
	for _, c := range convs {
		each(c.OpenedAt, c.ChannelID, func(a *acc) {
			a.row.Opened++
			switch {
			case c.FirstInboundAt.IsZero():
			case c.FirstResponseAt.IsZero():
				a.row.Unanswered++
			default:
				a.first = append(a.first, max(c.FirstResponseAt.Sub(c.FirstInboundAt), 0))
			}
		})
	}
	for _, ch := range timelines(changes) {
		each(ch.At, ch.ChannelID, func(a *acc) {
			if ch.Status == switchboard.StatusClosed {
				a.row.Resolved++
				a.res = append(a.res, max(ch.At.Sub(ch.since), 0))
			} else {
				a.row.Reopened++
			}
		})
	}
	out := &ConversationsReport{
		From: r.FromDate, To: r.ToDate, Interval: r.Interval, TZ: r.Location.String(),
		Periods: make([]ConversationPeriod, len(periods)), Channels: []ChannelTotals{},
	}
	for i, p := range periods {
		out.Periods[i] = byPeriod[p].done()
	}
	for id, a := range byChannel {
		out.Channels = append(out.Channels, ChannelTotals{ChannelID: id, ConversationPeriod: a.done()})
	}
	slices.SortFunc(out.Channels, func(a, b ChannelTotals) int {
		if a.ChannelID < b.ChannelID {
			return -1
		} else if a.ChannelID > b.ChannelID {
			return 1
		}
		return 0
	})
	out.Total = total.done()
	out.Total.Period = ""
	return out
}

// transition is a status change that changed the status, with the start of
// the episode it ends (for closes).
type transition struct {
	switchboard.ReportStatusChange
	since time.Time
}

// timelines replays every conversation's status changes from its opening:
// a change to the status it already has is dropped (a customer's message
// after a user already reopened it, a second close), so every close ends
// one episode and every reopen starts one.
func timelines(changes []switchboard.ReportStatusChange) []transition {
	byConv := map[string][]switchboard.ReportStatusChange{}
	var order []string
	for _, c := range changes {
		if _, ok := byConv[c.ConversationID]; !ok {
			order = append(order, c.ConversationID)
		}
		byConv[c.ConversationID] = append(byConv[c.ConversationID], c)
	}
	var out []transition
	for _, id := range order {
		cs := byConv[id]
		slices.SortStableFunc(cs, func(a, b switchboard.ReportStatusChange) int { return a.At.Compare(b.At) })
		status, since := switchboard.StatusOpen, cs[0].OpenedAt
		for _, c := range cs {
			if c.Status == status {
				continue
			}
			out = append(out, transition{ReportStatusChange: c, since: since})
			status, since = c.Status, c.At
		}
	}
	return out
}

// Table returns the report as CSV rows: a header and one row per period.
func (rep *ConversationsReport) Table() [][]string {
	rows := [][]string{{"period", "opened", "resolved", "reopened", "unanswered",
		"first_response_count", "first_response_median_seconds", "first_response_p90_seconds",
		"resolution_count", "resolution_median_seconds", "resolution_p90_seconds"}}
	for _, p := range rep.Periods {
		rows = append(rows, []string{p.Period, strconv.Itoa(p.Opened), strconv.Itoa(p.Resolved), strconv.Itoa(p.Reopened),
			strconv.Itoa(p.Unanswered),
			strconv.Itoa(p.FirstResponse.Count), secondsCell(p.FirstResponse.MedianSeconds), secondsCell(p.FirstResponse.P90Seconds),
			strconv.Itoa(p.Resolution.Count), secondsCell(p.Resolution.MedianSeconds), secondsCell(p.Resolution.P90Seconds)})
	}
	return rows
}
