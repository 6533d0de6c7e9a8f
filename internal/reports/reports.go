// Package reports computes Switchboard's reports from the facts the stores
// keep (conversations, messages, the audit log, sessions). The rules live
// here once; the stores only read facts ([switchboard.ReportStore]). The
// definitions are documented in docs/reports.md.
package reports

import (
	"slices"
	"strconv"
	"time"
	_ "time/tzdata" // ?tz= must work on hosts without a zoneinfo database

	"github.com/switchboardhq/switchboard"
)

// Interval is the width of a report's periods.
type Interval string

// The intervals.
const (
	Day   Interval = "day"
	Week  Interval = "week" // ISO weeks, starting on Monday
	Month Interval = "month"
)

// MaxDays is the longest range a report covers.
const MaxDays = 400

// DefaultDays is the range of a report without from and to: the last 30
// days, today included.
const DefaultDays = 30

const dateLayout = "2006-01-02"

// Range is a report's time range: whole local days From to To (both
// included) in Location, as the half-open UTC interval [Start, End).
type Range struct {
	FromDate, ToDate string
	Interval         Interval
	Location         *time.Location
	Start, End       time.Time
}

// ParseRange checks a report's query values. from and to are dates
// (YYYY-MM-DD, to included) in the time zone tz, or in def when tz is
// empty; empty dates mean the last DefaultDays days up to today (at now).
func ParseRange(from, to, interval, tz string, now time.Time, def *time.Location) (Range, error) {
	loc := def
	if loc == nil {
		loc = time.UTC
	}
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			return Range{}, switchboard.Errorf(switchboard.EInvalid, "tz must be an IANA time zone such as Europe/Berlin.")
		}
		loc = l
	}
	r := Range{Location: loc, Interval: Interval(interval)}
	switch r.Interval {
	case "":
		r.Interval = Day
	case Day, Week, Month:
	default:
		return Range{}, switchboard.Errorf(switchboard.EInvalid, "interval must be day, week or month.")
	}
	today := now.In(loc)
	todayDate := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	parse := func(name, v string, fallback time.Time) (time.Time, error) {
		if v == "" {
			return fallback, nil
		}
		t, err := time.ParseInLocation(dateLayout, v, loc)
		if err != nil {
			return time.Time{}, switchboard.Errorf(switchboard.EInvalid, "%s must be a date like 2026-01-31.", name)
		}
		return t, nil
	}
	toDay, err := parse("to", to, todayDate)
	if err != nil {
		return Range{}, err
	}
	fromDay, err := parse("from", from, toDay.AddDate(0, 0, -(DefaultDays-1)))
	if err != nil {
		return Range{}, err
	}
	if fromDay.After(toDay) {
		return Range{}, switchboard.Errorf(switchboard.EInvalid, "from must not be after to.")
	}
	if days := daysBetween(fromDay, toDay) + 1; days > MaxDays {
		return Range{}, switchboard.Errorf(switchboard.EInvalid, "A report covers at most %d days; this range has %d.", MaxDays, days)
	}
	r.FromDate, r.ToDate = fromDay.Format(dateLayout), toDay.Format(dateLayout)
	r.Start = fromDay.UTC()
	r.End = time.Date(toDay.Year(), toDay.Month(), toDay.Day()+1, 0, 0, 0, 0, loc).UTC()
	return r, nil
}

func daysBetween(a, b time.Time) int {
	// Calendar days, immune to DST: compare the dates as UTC midnights.
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// Scope returns the store scope of the range for channels (nil: all).
func (r Range) Scope(channels []string) switchboard.ReportScope {
	return switchboard.ReportScope{From: r.Start, To: r.End, ChannelIDs: channels}
}

// HistoryStart is where a history scope starts: before any fact.
var HistoryStart = time.Unix(0, 0).UTC()

// HistoryScope is the scope of the facts [Conversations] reads: everything
// before the range's end, since the backlog counts from the first
// conversation.
func (r Range) HistoryScope(channels []string) switchboard.ReportScope {
	return switchboard.ReportScope{From: HistoryStart, To: r.End, ChannelIDs: channels}
}

// Contains reports whether t is within the range.
func (r Range) Contains(t time.Time) bool { return !t.Before(r.Start) && t.Before(r.End) }

// periodStart is the local start of the period that contains t.
func (r Range) periodStart(t time.Time) time.Time {
	l := t.In(r.Location)
	switch r.Interval {
	case Week:
		wd := (int(l.Weekday()) + 6) % 7 // Monday = 0
		return time.Date(l.Year(), l.Month(), l.Day()-wd, 0, 0, 0, 0, r.Location)
	case Month:
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, r.Location)
	}
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, r.Location)
}

// Periods returns the labels (local start dates) of every period of the
// range, in order. The first week or month may start before FromDate.
func (r Range) Periods() []string {
	var out []string
	p := r.periodStart(r.Start)
	for p.Before(r.End) {
		out = append(out, p.Format(dateLayout))
		switch r.Interval {
		case Week:
			p = time.Date(p.Year(), p.Month(), p.Day()+7, 0, 0, 0, 0, r.Location)
		case Month:
			p = time.Date(p.Year(), p.Month()+1, 1, 0, 0, 0, 0, r.Location)
		default:
			p = time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, r.Location)
		}
	}
	return out
}

// Period returns the label of the period that contains t.
func (r Range) Period(t time.Time) string { return r.periodStart(t).Format(dateLayout) }

// Durations summarises a set of durations: how many, their median and 90th
// percentile in whole seconds (nil when there are none). Percentiles use the
// nearest-rank method: the p-th percentile of n sorted values is the value
// at rank ceil(p·n), so the median of 4 values is the 2nd.
type Durations struct {
	Count         int    `json:"count"`
	MedianSeconds *int64 `json:"median_seconds"`
	P90Seconds    *int64 `json:"p90_seconds"`
}

// Summarise returns the summary of ds.
func Summarise(ds []time.Duration) Durations {
	return summariseInPlace(slices.Clone(ds))
}

// summariseInPlace is Summarise, sorting s.
func summariseInPlace(s []time.Duration) Durations {
	out := Durations{Count: len(s)}
	if len(s) == 0 {
		return out
	}
	rank := func(pct int) int {
		i := (pct*len(s) + 99) / 100 // ceil(pct·n/100), 1-based
		return max(i, 1) - 1
	}
	// Only two ranks are needed: select the 90th percentile's, then the
	// median's among the values below it, instead of sorting everything.
	i50, i90 := rank(50), rank(90)
	p90 := int64(nthSmallest(s, i90) / time.Second)
	med := int64(nthSmallest(s[:i90+1], i50) / time.Second)
	out.MedianSeconds, out.P90Seconds = &med, &p90
	return out
}

// nthSmallest reorders s so that s[k] is its (k+1)-th smallest value, no
// value before it is larger and none after it smaller (quickselect), and
// returns s[k].
func nthSmallest(s []time.Duration, k int) time.Duration {
	lo, hi := 0, len(s)-1
	for hi-lo > 16 {
		// Median of three as the pivot, then a three-way partition, so
		// runs of equal values (common: whole seconds) cost nothing.
		a, b, c := s[lo], s[(lo+hi)/2], s[hi]
		p := max(min(a, b), min(max(a, b), c))
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch {
			case s[i] < p:
				s[lt], s[i] = s[i], s[lt]
				lt++
				i++
			case s[i] > p:
				s[i], s[gt] = s[gt], s[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return s[k]
		}
	}
	slices.Sort(s[lo : hi+1])
	return s[k]
}

func secondsCell(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// tally is what the count reports (messages, costs, bots) share: an
// accumulator per period of a range, per channel and in total, filled by
// counts at a time on a channel.
type tally[P any] struct {
	r        Range
	bounds   []time.Time
	labels   []string
	periods  []P
	channels map[string]*P
	total    P
	mk       func(period string) P
}

// newTally makes a tally whose accumulators mk makes (with the period's
// label, "" for a channel's and the total).
func newTally[P any](r Range, mk func(period string) P) *tally[P] {
	t := &tally[P]{r: r, bounds: r.Bounds(), labels: r.Periods(), channels: map[string]*P{}, total: mk(""), mk: mk}
	t.periods = make([]P, len(t.labels))
	for i, p := range t.labels {
		t.periods[i] = mk(p)
	}
	return t
}

// add calls fn for the accumulators a count at t counts in: its period's,
// its channel's (none for "") and the total. It returns the period's label,
// or false when t is outside the range.
func (t *tally[P]) add(at time.Time, channel string, fn func(*P)) (string, bool) {
	if !t.r.Contains(at) {
		return "", false
	}
	i := periodIndex(t.bounds, at)
	fn(&t.periods[i])
	fn(&t.total)
	if channel != "" {
		ch := t.channels[channel]
		if ch == nil {
			p := t.mk("")
			ch = &p
			t.channels[channel] = ch
		}
		fn(ch)
	}
	return t.labels[i], true
}

// channelRows returns the channels' accumulators of t as rows, ordered by
// channel id.
func channelRows[P, C any](t *tally[P], row func(id string, p P) C) []C {
	ids := make([]string, 0, len(t.channels))
	for id := range t.channels {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]C, 0, len(ids))
	for _, id := range ids {
		out = append(out, row(id, *t.channels[id]))
	}
	return out
}
