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
	// FirstResponseBusiness and ResolutionBusiness are the same times
	// counted within the channel's business hours only (a channel without
	// business hours counts every hour).
	FirstResponseBusiness Durations `json:"first_response_business"`
	ResolutionBusiness    Durations `json:"resolution_business"`
	// Backlog counts the conversations open at the end of the period (for
	// a channel's totals and the total: at the end of the range).
	Backlog int `json:"backlog"`
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
	// Labels breaks the conversations opened in the range down by the
	// labels they carry; the service fills it (ReportLabels).
	Labels []switchboard.ReportLabelCount `json:"labels"`
}

// acc accumulates one row of the conversations report.
type acc struct {
	row                        ConversationPeriod
	first, res                 []time.Duration
	firstBusiness, resBusiness []time.Duration
}

func (a *acc) done() ConversationPeriod {
	a.row.FirstResponse, a.row.Resolution = summariseInPlace(a.first), summariseInPlace(a.res)
	a.row.FirstResponseBusiness, a.row.ResolutionBusiness = summariseInPlace(a.firstBusiness), summariseInPlace(a.resBusiness)
	return a.row
}

// span is one duration, on the clock and within business hours.
type span struct{ wall, business time.Duration }

// span measures the whole seconds from start on channel.
func (h Hours) span(channel string, start time.Time, seconds int64) span {
	return span{time.Duration(seconds) * time.Second, h.within(channel, start, seconds)}
}

// fingerprints returns the fingerprint of every channel's hours, by
// [switchboard.BusinessClock.Fingerprint].
func (h Hours) fingerprints() map[string]uint64 {
	out := make(map[string]uint64, len(h))
	for id, c := range h {
		out[id] = c.Fingerprint()
	}
	return out
}

// spanOf is the span of a rollup duration: its business time as stored
// when it was measured by the channel's hours now (fps), else measured
// again.
func (h Hours) spanOf(d switchboard.ReportDuration, fps map[string]uint64) span {
	if d.Hours == fps[d.ChannelID] {
		return span{time.Duration(d.Seconds) * time.Second, time.Duration(d.Business) * time.Second}
	}
	return h.span(d.ChannelID, d.Start, d.Seconds)
}

// reserve makes room for first first responses and res resolutions.
func (a *acc) reserve(first, res int) {
	a.first, a.firstBusiness = slices.Grow(a.first, first), slices.Grow(a.firstBusiness, first)
	a.res, a.resBusiness = slices.Grow(a.res, res), slices.Grow(a.resBusiness, res)
}

func (a *acc) addFirst(d span) {
	a.first, a.firstBusiness = append(a.first, d.wall), append(a.firstBusiness, d.business)
}

func (a *acc) addResolution(d span) {
	a.res, a.resBusiness = append(a.res, d.wall), append(a.resBusiness, d.business)
}

// Hours are the business clocks of the channels that have business hours;
// a channel without one counts every hour as business time.
type Hours map[string]*switchboard.BusinessClock

// within is the business time of the whole seconds from start on channel.
// Both ways of computing a report (from the facts and from the rollups)
// measure a duration in whole seconds first, so they agree to the second.
func (h Hours) within(channel string, start time.Time, seconds int64) time.Duration {
	d := time.Duration(seconds) * time.Second
	if c := h[channel]; c != nil {
		return c.Between(start, start.Add(d)).Truncate(time.Second)
	}
	return d
}

// wholeSeconds is the length of [from, to) in whole seconds, 0 if negative.
func wholeSeconds(from, to time.Time) int64 { return int64(max(to.Sub(from), 0) / time.Second) }

// backlogMetrics are the rollup figures the backlog adds up.
var backlogMetrics = []string{metricOpened, metricResolved, metricReopened}

// BacklogMetrics are the metrics [switchboard.ReportRollupStore.ReportFigureTotals]
// must sum before a range for [ConversationsFromRollup].
func BacklogMetrics() []string { return slices.Clone(backlogMetrics) }

// Conversations computes the conversations report from the facts: the
// conversations created before the range's end and the status changes of
// the same scope (see [switchboard.ReportStore]; the scope is
// [Range.HistoryScope], since the backlog counts from the first
// conversation). Facts before the range count only in the backlog.
func Conversations(r Range, convs []switchboard.ReportConversation, changes []switchboard.ReportStatusChange, h Hours) *ConversationsReport {
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
	var deltas []backlogDelta
	for _, c := range convs {
		deltas = append(deltas, backlogDelta{c.OpenedAt, c.ChannelID, 1})
		if !r.Contains(c.OpenedAt) {
			continue
		}
		answered := !c.FirstInboundAt.IsZero() && !c.FirstResponseAt.IsZero()
		var d span
		if answered {
			d = h.span(c.ChannelID, c.FirstInboundAt, wholeSeconds(c.FirstInboundAt, c.FirstResponseAt))
		}
		each(c.OpenedAt, c.ChannelID, func(a *acc) {
			a.row.Opened++
			switch {
			case c.FirstInboundAt.IsZero():
			case !answered:
				a.row.Unanswered++
			default:
				a.addFirst(d)
			}
		})
	}
	for _, ch := range timelines(changes) {
		d := 1
		if ch.Status == switchboard.StatusResolved {
			d = -1
		}
		deltas = append(deltas, backlogDelta{ch.At, ch.ChannelID, d})
		if !r.Contains(ch.At) {
			continue
		}
		var res span
		if ch.Status == switchboard.StatusResolved {
			res = h.span(ch.ChannelID, ch.since, wholeSeconds(ch.since, ch.At))
		}
		each(ch.At, ch.ChannelID, func(a *acc) {
			if ch.Status == switchboard.StatusResolved {
				a.row.Resolved++
				a.addResolution(res)
			} else {
				a.row.Reopened++
			}
		})
	}
	// The backlog at each period's end: every opening and reopen before it
	// minus every close.
	bounds := r.Bounds()
	perPeriod := make([]int, len(periods)) // changes first counted at period i's end
	chBacklog := map[string]int{}
	for _, d := range deltas {
		if !d.at.Before(r.End) {
			continue
		}
		i := periodIndex(bounds, d.at)
		perPeriod[i] += d.n
		chBacklog[d.channel] += d.n
		total.row.Backlog += d.n
	}
	run := 0
	for i, p := range periods {
		run += perPeriod[i]
		byPeriod[p].row.Backlog = run
	}
	setChannelBacklog(byChannel, chBacklog)
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

// setChannelBacklog sets each channel's backlog at the range's end; a
// channel with no figure in the range appears only with open conversations.
func setChannelBacklog(byChannel map[string]*acc, backlog map[string]int) {
	for id, n := range backlog {
		if a := byChannel[id]; a != nil {
			a.row.Backlog = n
		} else if n != 0 {
			byChannel[id] = &acc{row: ConversationPeriod{Backlog: n}}
		}
	}
}

// backlogDelta is a change of the open backlog: +1 when a conversation
// opens or reopens, -1 when it closes.
type backlogDelta struct {
	at      time.Time
	channel string
	n       int
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
	rows := [][]string{{"period", "opened", "resolved", "reopened", "unanswered", "backlog",
		"first_response_count", "first_response_median_seconds", "first_response_p90_seconds",
		"resolution_count", "resolution_median_seconds", "resolution_p90_seconds",
		"first_response_business_median_seconds", "first_response_business_p90_seconds",
		"resolution_business_median_seconds", "resolution_business_p90_seconds"}}
	for _, p := range rep.Periods {
		rows = append(rows, []string{p.Period, strconv.Itoa(p.Opened), strconv.Itoa(p.Resolved), strconv.Itoa(p.Reopened),
			strconv.Itoa(p.Unanswered), strconv.Itoa(p.Backlog),
			strconv.Itoa(p.FirstResponse.Count), secondsCell(p.FirstResponse.MedianSeconds), secondsCell(p.FirstResponse.P90Seconds),
			strconv.Itoa(p.Resolution.Count), secondsCell(p.Resolution.MedianSeconds), secondsCell(p.Resolution.P90Seconds),
			secondsCell(p.FirstResponseBusiness.MedianSeconds), secondsCell(p.FirstResponseBusiness.P90Seconds),
			secondsCell(p.ResolutionBusiness.MedianSeconds), secondsCell(p.ResolutionBusiness.P90Seconds)})
	}
	return rows
}
