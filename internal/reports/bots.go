package reports

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// BotPeriod is one period (or channel, or the total) of the bots report.
type BotPeriod struct {
	Period string `json:"period,omitempty"`
	// ToBot counts the conversations handed to a bot: opened (or
	// reopened) on a channel with a bot agent, or handed back to it.
	ToBot int `json:"to_bot"`
	// HandedBack counts those of ToBot that a person handed back.
	HandedBack int `json:"handed_back"`
	// HandedOff counts the hand-offs from the bot to people.
	HandedOff int `json:"handed_off"`
	// Reasons counts HandedOff by reason (switchboard.ReportHandoffReason).
	Reasons map[string]int `json:"reasons"`
}

// BotChannel is one channel's totals of the bots report.
type BotChannel struct {
	ChannelID string `json:"channel_id"`
	BotPeriod
}

// ReasonCount is how many hand-offs to people had one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// BotsReport counts what bots handled and handed off, per period and
// channel, and the hand-offs' reasons over the range.
type BotsReport struct {
	From     string        `json:"from"`
	To       string        `json:"to"`
	Interval Interval      `json:"interval"`
	TZ       string        `json:"tz"`
	Periods  []BotPeriod   `json:"periods"`
	Channels []BotChannel  `json:"channels"`
	Reasons  []ReasonCount `json:"reasons"`
	Total    BotPeriod     `json:"total"`
	rows     map[botKey]int
}

type botKey struct {
	period, channel, to, reason string
}

func newBotPeriod(p string) BotPeriod { return BotPeriod{Period: p, Reasons: map[string]int{}} }

// Bots computes the bots report from 15-minute counts of hand-offs.
func Bots(r Range, counts []switchboard.ReportHandoffCount) *BotsReport {
	t := newTally(r, newBotPeriod)
	out := &BotsReport{From: r.FromDate, To: r.ToDate, Interval: r.Interval, TZ: r.Location.String(),
		Reasons: []ReasonCount{}, rows: map[botKey]int{}}
	for _, c := range counts {
		period, ok := t.add(c.Slot, c.ChannelID, func(p *BotPeriod) {
			if c.To == switchboard.HandlerBot {
				p.ToBot += c.Count
				if c.Reason == switchboard.ReasonHandedBack {
					p.HandedBack += c.Count
				}
			} else {
				p.HandedOff += c.Count
				p.Reasons[c.Reason] += c.Count
			}
		})
		if ok {
			out.rows[botKey{period, c.ChannelID, string(c.To), c.Reason}] += c.Count
		}
	}
	out.Periods, out.Total = t.periods, t.total
	out.Channels = channelRows(t, func(id string, p BotPeriod) BotChannel { return BotChannel{ChannelID: id, BotPeriod: p} })
	for reason, n := range out.Total.Reasons {
		out.Reasons = append(out.Reasons, ReasonCount{Reason: reason, Count: n})
	}
	slices.SortFunc(out.Reasons, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

// Table returns the report as CSV rows in long form: one row per period,
// channel, handler handed to ("bot" or "human") and reason.
func (rep *BotsReport) Table() [][]string {
	keys := make([]botKey, 0, len(rep.rows))
	for k := range rep.rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b botKey) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(a.channel, b.channel), cmp.Compare(a.to, b.to), cmp.Compare(a.reason, b.reason))
	})
	rows := [][]string{{"period", "channel_id", "to", "reason", "handoffs"}}
	for _, k := range keys {
		rows = append(rows, []string{k.period, k.channel, k.to, k.reason, strconv.Itoa(rep.rows[k])})
	}
	return rows
}
