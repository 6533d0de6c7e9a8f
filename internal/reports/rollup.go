package reports

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
)

// The rollups (docs/reports.md, "Rollups") keep, per ReportSlot and
// channel, the counters of the conversations and messages reports, and the
// first-response and resolution durations with their time, so a report
// reads sums per period and a narrow, time-ordered list of durations
// instead of the facts. They are derived from the facts with the same rules
// as the reports computed from the facts, slot by slot: a slot's figures
// depend only on the facts the store returns for a scope of that slot.

// The conversation metrics of the rollups.
const (
	metricOpened     = "opened"
	metricUnanswered = "unanswered"
	metricResolved   = "resolved"
	metricReopened   = "reopened"
	msgPrefix        = "msg|"  // msg|direction|type|failed|code
	costPrefix       = "cost|" // cost|billable|model|category|type, each escaped
	botPrefix        = "bot|"  // bot|to|reason, each escaped
)

// conversationMetrics are the metrics of the conversations report.
var conversationMetrics = []string{metricOpened, metricUnanswered, metricResolved, metricReopened}

// The kinds of durations.
const (
	KindFirst      = "first"
	KindResolution = "resolution"
)

// RefreshMargin is how far before the last refresh mark a refresh looks for
// changed facts: a transaction takes its time from the clock before it
// commits, so a fact may become visible a little after its updated_at.
const RefreshMargin = time.Minute

func msgMetric(c switchboard.ReportMessageCount) string {
	return msgPrefix + string(c.Direction) + "|" + string(c.Type) + "|" + strconv.FormatBool(c.Failed) + "|" + strconv.Itoa(c.ErrorCode)
}

func parseMsgMetric(m string) (switchboard.ReportMessageCount, bool) {
	p := strings.Split(strings.TrimPrefix(m, msgPrefix), "|")
	if !strings.HasPrefix(m, msgPrefix) || len(p) != 4 {
		return switchboard.ReportMessageCount{}, false
	}
	code, _ := strconv.Atoi(p[3])
	return switchboard.ReportMessageCount{Direction: switchboard.Direction(p[0]), Type: switchboard.MessageType(p[1]), Failed: p[2] == "true", ErrorCode: code}, true
}

func costMetric(c switchboard.ReportCostCount) string {
	return costPrefix + strconv.FormatBool(c.Billable) + "|" + url.QueryEscape(c.Model) + "|" + url.QueryEscape(c.Category) + "|" + url.QueryEscape(c.Type)
}

// splitMetric returns the n escaped fields of m after prefix.
func splitMetric(m, prefix string, n int) ([]string, bool) {
	if !strings.HasPrefix(m, prefix) {
		return nil, false
	}
	p := strings.Split(strings.TrimPrefix(m, prefix), "|")
	if len(p) != n {
		return nil, false
	}
	for i := range p {
		v, err := url.QueryUnescape(p[i])
		if err != nil {
			return nil, false
		}
		p[i] = v
	}
	return p, true
}

func parseCostMetric(m string) (switchboard.ReportCostCount, bool) {
	p, ok := splitMetric(m, costPrefix, 4)
	if !ok {
		return switchboard.ReportCostCount{}, false
	}
	return switchboard.ReportCostCount{Billable: p[0] == "true", Model: p[1], Category: p[2], Type: p[3]}, true
}

func botMetric(c switchboard.ReportHandoffCount) string {
	return botPrefix + url.QueryEscape(string(c.To)) + "|" + url.QueryEscape(c.Reason)
}

func parseBotMetric(m string) (switchboard.ReportHandoffCount, bool) {
	p, ok := splitMetric(m, botPrefix, 2)
	if !ok {
		return switchboard.ReportHandoffCount{}, false
	}
	return switchboard.ReportHandoffCount{To: switchboard.Handler(p[0]), Reason: p[1]}, true
}

func slotOf(t time.Time) time.Time { return t.UTC().Truncate(switchboard.ReportSlot) }

// Rollup computes the rollup rows of [from, to) (whole UTC days) from the
// facts a store returns for that scope over all channels.
func Rollup(from, to time.Time, convs []switchboard.ReportConversation, changes []switchboard.ReportStatusChange,
	msgs []switchboard.ReportMessageCount, costs []switchboard.ReportCostCount, handoffs []switchboard.ReportHandoffCount) ([]switchboard.ReportFigure, []switchboard.ReportDuration) {
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	type key struct {
		slot      time.Time
		ch, metic string
	}
	counts := map[key]int{}
	var durs []switchboard.ReportDuration
	for _, c := range convs {
		if !in(c.OpenedAt) {
			continue
		}
		s := slotOf(c.OpenedAt)
		counts[key{s, c.ChannelID, metricOpened}]++
		switch {
		case c.FirstInboundAt.IsZero():
		case c.FirstResponseAt.IsZero():
			counts[key{s, c.ChannelID, metricUnanswered}]++
		default:
			durs = append(durs, switchboard.ReportDuration{Kind: KindFirst, At: c.OpenedAt, ChannelID: c.ChannelID,
				UserID: c.FirstResponderID, Seconds: wholeSeconds(c.FirstInboundAt, c.FirstResponseAt), Start: c.FirstInboundAt})
		}
	}
	for _, ch := range timelines(changes) {
		if !in(ch.At) {
			continue
		}
		s := slotOf(ch.At)
		if ch.Status == switchboard.StatusResolved {
			counts[key{s, ch.ChannelID, metricResolved}]++
			durs = append(durs, switchboard.ReportDuration{Kind: KindResolution, At: ch.At, ChannelID: ch.ChannelID,
				UserID: ch.ActorID, Seconds: wholeSeconds(ch.since, ch.At), Start: ch.since})
		} else {
			counts[key{s, ch.ChannelID, metricReopened}]++
		}
	}
	for _, m := range msgs {
		if in(m.Slot) {
			counts[key{slotOf(m.Slot), m.ChannelID, msgMetric(m)}] += m.Count
		}
	}
	for _, c := range costs {
		if in(c.Slot) {
			counts[key{slotOf(c.Slot), c.ChannelID, costMetric(c)}] += c.Count
		}
	}
	for _, h := range handoffs {
		if in(h.Slot) {
			counts[key{slotOf(h.Slot), h.ChannelID, botMetric(h)}] += h.Count
		}
	}
	// The hourly and daily sums (see levelOf); [from, to) is whole UTC
	// days, so they are complete.
	levels := map[key]int{}
	for k, n := range counts {
		levels[key{k.slot.Truncate(time.Hour), k.ch, hourLevel + k.metic}] += n
		levels[key{dayOf(k.slot), k.ch, dayLevel + k.metic}] += n
	}
	figs := make([]switchboard.ReportFigure, 0, len(counts)+len(levels))
	for _, m := range []map[key]int{counts, levels} {
		for k, n := range m {
			figs = append(figs, switchboard.ReportFigure{Slot: k.slot, ChannelID: k.ch, Metric: k.metic, Count: n})
		}
	}
	return figs, durs
}

// Bounds returns the bounds of r's periods for
// [switchboard.ReportRollupStore.ReportFigureSums]: each period's start
// (the range's start for a first period that starts before it) and the
// range's end.
func (r Range) Bounds() []time.Time {
	var out []time.Time
	p := r.periodStart(r.Start)
	for p.Before(r.End) {
		out = append(out, maxTime(p.UTC(), r.Start))
		switch r.Interval {
		case Week:
			p = time.Date(p.Year(), p.Month(), p.Day()+7, 0, 0, 0, 0, r.Location)
		case Month:
			p = time.Date(p.Year(), p.Month()+1, 1, 0, 0, 0, 0, r.Location)
		default:
			p = time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, r.Location)
		}
	}
	return append(out, r.End)
}

// periodIndex is the index of the period of bounds (see [Range.Bounds])
// that contains t, which must be within the range.
func periodIndex(bounds []time.Time, t time.Time) int {
	// The first period whose end is after t.
	i, _ := slices.BinarySearchFunc(bounds[1:], t, func(b, t time.Time) int {
		if b.After(t) {
			return 1
		}
		return -1
	})
	return i
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ConversationsFromRollup computes the conversations report from the
// rollups' sums per period (of r.Bounds()), their totals before the range
// (of [BacklogMetrics]) and the durations of the range; it answers exactly
// what [Conversations] answers from the facts.
func ConversationsFromRollup(r Range, sums, before []switchboard.ReportFigure, durs []switchboard.ReportDuration, h Hours) *ConversationsReport {
	periods := r.Periods()
	accs := make([]acc, len(periods))
	for i, p := range periods {
		accs[i].row.Period = p
	}
	byChannel := map[string]*acc{}
	var total acc
	chAcc := func(id string) *acc {
		a := byChannel[id]
		if a == nil {
			a = &acc{}
			byChannel[id] = a
		}
		return a
	}
	// The backlog: what was open before the range, then each period's
	// openings and reopens minus its closes.
	backlogChange := func(metric string) int {
		switch metric {
		case metricOpened, metricReopened:
			return 1
		case metricResolved:
			return -1
		}
		return 0
	}
	perPeriod := make([]int, len(accs))
	chBacklog := map[string]int{}
	for _, b := range before {
		n := backlogChange(b.Metric) * b.Count
		perPeriod[0] += n
		chBacklog[b.ChannelID] += n
		total.row.Backlog += n
	}
	for _, s := range sums {
		if s.Period < 0 || s.Period >= len(accs) || strings.HasPrefix(s.Metric, msgPrefix) ||
			strings.HasPrefix(s.Metric, costPrefix) || strings.HasPrefix(s.Metric, botPrefix) {
			continue
		}
		if n := backlogChange(s.Metric) * s.Count; n != 0 {
			perPeriod[s.Period] += n
			chBacklog[s.ChannelID] += n
			total.row.Backlog += n
		}
		for _, a := range []*acc{&accs[s.Period], chAcc(s.ChannelID), &total} {
			switch s.Metric {
			case metricOpened:
				a.row.Opened += s.Count
			case metricUnanswered:
				a.row.Unanswered += s.Count
			case metricResolved:
				a.row.Resolved += s.Count
			case metricReopened:
				a.row.Reopened += s.Count
			}
		}
	}
	bounds := r.Bounds()
	fps := h.fingerprints()
	// The channels' and the total's accumulators take most durations: they
	// get their room at once rather than by growing.
	type kinds struct{ first, res int }
	perChannel := map[string]*kinds{}
	var all kinds
	for _, d := range durs {
		if !r.Contains(d.At) {
			continue
		}
		k := perChannel[d.ChannelID]
		if k == nil {
			k = &kinds{}
			perChannel[d.ChannelID] = k
		}
		if d.Kind == KindFirst {
			k.first++
			all.first++
		} else {
			k.res++
			all.res++
		}
	}
	total.reserve(all.first, all.res)
	for id, k := range perChannel {
		chAcc(id).reserve(k.first, k.res)
	}
	for _, d := range durs {
		if !r.Contains(d.At) {
			continue
		}
		i := periodIndex(bounds, d.At)
		v := h.spanOf(d, fps)
		for _, a := range []*acc{&accs[i], chAcc(d.ChannelID), &total} {
			if d.Kind == KindFirst {
				a.addFirst(v)
			} else {
				a.addResolution(v)
			}
		}
	}
	run := 0
	for i := range accs {
		run += perPeriod[i]
		accs[i].row.Backlog = run
	}
	setChannelBacklog(byChannel, chBacklog)
	out := &ConversationsReport{
		From: r.FromDate, To: r.ToDate, Interval: r.Interval, TZ: r.Location.String(),
		Periods: make([]ConversationPeriod, len(periods)), Channels: []ChannelTotals{},
	}
	for i := range accs {
		out.Periods[i] = accs[i].done()
	}
	for id, a := range byChannel {
		out.Channels = append(out.Channels, ChannelTotals{ChannelID: id, ConversationPeriod: a.done()})
	}
	slices.SortFunc(out.Channels, func(a, b ChannelTotals) int { return strings.Compare(a.ChannelID, b.ChannelID) })
	out.Total = total.done()
	out.Total.Period = ""
	return out
}

// countsFromSums turns the sums per period (of r.Bounds()) of one report's
// metrics into the counts its rules take from the facts, one per period
// (at the period's bound), channel and metric: what MessagesFromRollup,
// CostsFromRollup and BotsFromRollup have in common.
func countsFromSums[C any](r Range, sums []switchboard.ReportFigure, parse func(string) (C, bool), set func(c *C, slot time.Time, channel string, n int)) []C {
	bounds := r.Bounds()
	var counts []C
	for _, s := range sums {
		c, ok := parse(s.Metric)
		if !ok || s.Period < 0 || s.Period >= len(bounds)-1 {
			continue
		}
		set(&c, bounds[s.Period], s.ChannelID, s.Count)
		counts = append(counts, c)
	}
	return counts
}

// MessagesFromRollup computes the messages report from the rollups' sums
// per period (of r.Bounds()); it answers exactly what [Messages] answers
// from the facts.
func MessagesFromRollup(r Range, sums []switchboard.ReportFigure) *MessagesReport {
	return Messages(r, countsFromSums(r, sums, parseMsgMetric, func(c *switchboard.ReportMessageCount, slot time.Time, ch string, n int) {
		c.Slot, c.ChannelID, c.Count = slot, ch, n
	}))
}

// CostsFromRollup computes the costs report from the rollups' sums per
// period (of r.Bounds()); it answers exactly what [Costs] answers from the
// facts.
func CostsFromRollup(r Range, sums []switchboard.ReportFigure) *CostsReport {
	return Costs(r, countsFromSums(r, sums, parseCostMetric, func(c *switchboard.ReportCostCount, slot time.Time, ch string, n int) {
		c.Slot, c.ChannelID, c.Count = slot, ch, n
	}))
}

// BotsFromRollup computes the bots report from the rollups' sums per
// period (of r.Bounds()); it answers exactly what [Bots] answers from the
// facts.
func BotsFromRollup(r Range, sums []switchboard.ReportFigure) *BotsReport {
	return Bots(r, countsFromSums(r, sums, parseBotMetric, func(c *switchboard.ReportHandoffCount, slot time.Time, ch string, n int) {
		c.Slot, c.ChannelID, c.Count = slot, ch, n
	}))
}

// Conversations reads the conversations report of r over channels (nil:
// all) from the rollups as they are; call Refresh first for current ones.
func (ro *Rollups) Conversations(ctx context.Context, r Range, channels []string, h Hours) (*ConversationsReport, error) {
	sc := r.Scope(channels)
	sc.Metrics = conversationMetrics
	sums, err := ro.sums(ctx, sc, r.Bounds())
	if err != nil {
		return nil, err
	}
	before, err := ro.totals(ctx, r.Scope(channels), r.Start, backlogMetrics)
	if err != nil {
		return nil, err
	}
	durs, err := ReadDurations(ctx, ro.Store, r.Scope(channels))
	if err != nil {
		return nil, err
	}
	return ConversationsFromRollup(r, sums, before, durs, h), nil
}

// Messages reads the messages report of r over channels (nil: all) from
// the rollups as they are.
func (ro *Rollups) Messages(ctx context.Context, r Range, channels []string) (*MessagesReport, error) {
	return fromPrefix(ctx, ro, r, channels, msgPrefix, MessagesFromRollup)
}

// Costs reads the costs report of r over channels (nil: all) from the
// rollups as they are.
func (ro *Rollups) Costs(ctx context.Context, r Range, channels []string) (*CostsReport, error) {
	return fromPrefix(ctx, ro, r, channels, costPrefix, CostsFromRollup)
}

// Bots reads the bots report of r over channels (nil: all) from the
// rollups as they are.
func (ro *Rollups) Bots(ctx context.Context, r Range, channels []string) (*BotsReport, error) {
	return fromPrefix(ctx, ro, r, channels, botPrefix, BotsFromRollup)
}

// fromPrefix reads a report made of the sums per period of the metrics
// that start with prefix.
func fromPrefix[R any](ctx context.Context, ro *Rollups, r Range, channels []string, prefix string, build func(Range, []switchboard.ReportFigure) R) (R, error) {
	sc := r.Scope(channels)
	sc.MetricPrefix = prefix
	sums, err := ro.sums(ctx, sc, r.Bounds())
	if err != nil {
		var zero R
		return zero, err
	}
	return build(r, sums), nil
}

// The rollups keep every counter per 15-minute slot, and its sums per UTC
// hour (metric "h:"+metric, at the hour's start) and per UTC day ("d:"+
// metric, at midnight). A report sums the coarsest level its period bounds
// are aligned to: a year per Berlin day reads hourly rows (a quarter of the
// slots), per UTC day or month daily rows; Kolkata (+05:30) the slots. The
// backlog sums the days before the range's UTC day and the rest of it.
const (
	hourLevel = "h:"
	dayLevel  = "d:"
)

// levelOf is the coarsest level every bound is aligned to ("" for slots).
func levelOf(bounds []time.Time) string {
	lv := dayLevel
	for _, b := range bounds {
		us := b.UnixMicro()
		switch {
		case us%(24*time.Hour).Microseconds() == 0:
		case us%time.Hour.Microseconds() == 0:
			lv = hourLevel
		default:
			return ""
		}
	}
	return lv
}

// levelScope is s for the figures of level lv.
func levelScope(s switchboard.ReportScope, lv string) switchboard.ReportScope {
	if s.MetricPrefix != "" {
		s.MetricPrefix = lv + s.MetricPrefix
	}
	if s.Metrics != nil {
		ms := make([]string, len(s.Metrics))
		for i, m := range s.Metrics {
			ms[i] = lv + m
		}
		s.Metrics = ms
	}
	return s
}

// unlevel strips the level from the sums' metrics.
func unlevel(sums []switchboard.ReportFigure, lv string) []switchboard.ReportFigure {
	for i := range sums {
		sums[i].Metric = strings.TrimPrefix(sums[i].Metric, lv)
	}
	return sums
}

// sums sums the figures of s (a metric prefix or list) per period of
// bounds at the coarsest level the bounds allow.
func (ro *Rollups) sums(ctx context.Context, s switchboard.ReportScope, bounds []time.Time) ([]switchboard.ReportFigure, error) {
	lv := levelOf(bounds)
	sums, err := ro.Store.ReportFigureSums(ctx, levelScope(s, lv), bounds)
	if err != nil {
		return nil, err
	}
	return unlevel(sums, lv), nil
}

// totals sums the figures of metrics over everything before before: the
// daily sums before its UTC day, then the rest.
func (ro *Rollups) totals(ctx context.Context, s switchboard.ReportScope, before time.Time, metrics []string) ([]switchboard.ReportFigure, error) {
	day := dayOf(before)
	out, err := ro.Store.ReportFigureTotals(ctx, s, day, levelScope(switchboard.ReportScope{Metrics: metrics}, dayLevel).Metrics)
	if err != nil {
		return nil, err
	}
	out = unlevel(out, dayLevel)
	if day.Before(before) {
		rest := s
		rest.Metrics = metrics
		sums, err := ro.sums(ctx, rest, []time.Time{day, before})
		if err != nil {
			return nil, err
		}
		for _, f := range sums {
			f.Period = -1
			out = append(out, f)
		}
	}
	return out, nil
}

// Rollups keeps a store's report rollups up to date. Refresh brings them up
// to the facts; it is safe to call concurrently (calls are serialised) and
// on a live store. Marks are taken from the store's clock, the one that
// stamps the facts.
type Rollups struct {
	Store switchboard.ReportStore
	// Hours, when set, returns the channels' business hours, by which
	// the rollups measure the durations' business time; a report whose
	// channel keeps other hours by then measures it again, exactly but
	// slower, until the days are recomputed (a refresh of changed days,
	// or Rebuild). Nil: every hour counts.
	Hours func(ctx context.Context) (Hours, error)
	mu    sync.Mutex
	// seen is the fingerprint of every channel's hours when the rollups
	// were last refreshed; stale lists the days measured by hours that
	// have changed since, oldest first, for CatchUp.
	seen  map[string]uint64
	stale []time.Time
}

// Refresh recomputes the slots whose facts changed since the last refresh
// (a full rebuild when the rollups were never built).
func (ro *Rollups) Refresh(ctx context.Context) error {
	ro.mu.Lock()
	defer ro.mu.Unlock()
	mark, ok, err := ro.Store.ReportRollupMark(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return ro.rebuild(ctx)
	}
	if err := ro.noteHours(ctx); err != nil {
		return err
	}
	slots, token, now, err := ro.Store.ReportDirtySlots(ctx, mark.Add(-RefreshMargin))
	if err != nil {
		return err
	}
	// The durations are kept per UTC day, so a dirty slot's whole day is
	// recomputed.
	days := make([]time.Time, len(slots))
	for i, s := range slots {
		days[i] = dayOf(s)
	}
	slices.SortFunc(days, time.Time.Compare)
	days = slices.Compact(days)
	for _, day := range days {
		if err := ro.recompute(ctx, day, day.Add(24*time.Hour)); err != nil {
			return err
		}
	}
	return ro.Store.FinishReportRefresh(ctx, now, token)
}

// Rebuild recomputes every rollup from the facts, one UTC day per
// transaction: readers see each day either as before or as rebuilt. Writes
// during a rebuild are picked up by the next Refresh.
func (ro *Rollups) Rebuild(ctx context.Context) error {
	ro.mu.Lock()
	defer ro.mu.Unlock()
	return ro.rebuild(ctx)
}

func (ro *Rollups) rebuild(ctx context.Context) error {
	// Every day is measured again by the hours in force now.
	h, err := ro.hours(ctx)
	if err != nil {
		return err
	}
	ro.seen, ro.stale = h.fingerprints(), nil
	// Only the token and the store's time are needed: everything is
	// recomputed. A far-future since keeps the look-up empty.
	_, token, now, err := ro.Store.ReportDirtySlots(ctx, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	first, last, ok, err := ro.Store.ReportFactSpan(ctx)
	if err != nil {
		return err
	}
	if ok {
		day := first.UTC().Truncate(24 * time.Hour)
		for ; !day.After(last); day = day.Add(24 * time.Hour) {
			if err := ro.recompute(ctx, day, day.Add(24*time.Hour)); err != nil {
				return err
			}
		}
	}
	return ro.Store.FinishReportRefresh(ctx, now, token)
}

// CatchUp measures again, by the hours in force, at most maxDays of the
// days whose durations were measured by a channel's earlier hours, and
// returns how many such days are left. Until then a report is exact but
// measures those durations itself; the background job calls CatchUp a
// few days at a time, so a report waits for at most one such step.
func (ro *Rollups) CatchUp(ctx context.Context, maxDays int) (left int, err error) {
	ro.mu.Lock()
	defer ro.mu.Unlock()
	if _, ok, err := ro.Store.ReportRollupMark(ctx); err != nil || !ok {
		return 0, err // never built: the first Refresh builds everything
	}
	if err := ro.noteHours(ctx); err != nil {
		return 0, err
	}
	for n := 0; n < maxDays && len(ro.stale) > 0; n++ {
		day := ro.stale[0]
		if err := ro.recompute(ctx, day, day.Add(24*time.Hour)); err != nil {
			return len(ro.stale), err
		}
		ro.stale = ro.stale[1:]
	}
	return len(ro.stale), nil
}

// noteHours compares the channels' hours with those of the last refresh;
// when any changed, every day with facts becomes stale. The first call
// only takes note: hours changed while no process watched are measured
// again by each report until the days are recomputed (a refresh of
// changed days, or Rebuild).
func (ro *Rollups) noteHours(ctx context.Context) error {
	h, err := ro.hours(ctx)
	if err != nil {
		return err
	}
	fps := h.fingerprints()
	if ro.seen != nil && !maps.Equal(fps, ro.seen) {
		first, last, ok, err := ro.Store.ReportFactSpan(ctx)
		if err != nil {
			return err
		}
		ro.stale = nil
		if ok {
			for day := dayOf(first); !day.After(last); day = day.Add(24 * time.Hour) {
				ro.stale = append(ro.stale, day)
			}
		}
	}
	ro.seen = fps
	return nil
}

// hours returns the channels' business hours (none without ro.Hours).
func (ro *Rollups) hours(ctx context.Context) (Hours, error) {
	if ro.Hours == nil {
		return Hours{}, nil
	}
	return ro.Hours(ctx)
}

// recompute replaces the rollups of [from, to), whole UTC days, by what
// the facts say.
func (ro *Rollups) recompute(ctx context.Context, from, to time.Time) error {
	h, err := ro.hours(ctx)
	if err != nil {
		return err
	}
	s := switchboard.ReportScope{From: from, To: to}
	convs, err := ro.Store.ReportConversations(ctx, s)
	if err != nil {
		return err
	}
	changes, err := ro.Store.ReportStatusChanges(ctx, s)
	if err != nil {
		return err
	}
	msgs, err := ro.Store.ReportMessages(ctx, s)
	if err != nil {
		return err
	}
	costs, err := ro.Store.ReportCosts(ctx, s)
	if err != nil {
		return err
	}
	handoffs, err := ro.Store.ReportHandoffs(ctx, s)
	if err != nil {
		return err
	}
	pairs, err := ro.Store.ReportAgentPairs(ctx, s)
	if err != nil {
		return err
	}
	figs, durs := Rollup(from, to, convs, changes, msgs, costs, handoffs)
	sets := append(packDurations(durs, h), packAgentPairs(from, pairs)...)
	if err := ro.Store.ReplaceReportSlots(ctx, from, to, figs, sets); err != nil {
		return fmt.Errorf("report rollups %s: %w", from.Format(time.RFC3339), err)
	}
	return nil
}
