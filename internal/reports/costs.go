package reports

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// CostPeriod is one period (or channel, or the total) of the costs report.
type CostPeriod struct {
	Period string `json:"period,omitempty"`
	// Priced counts the messages whose statuses carried a pricing object.
	Priced int `json:"priced"`
	// Billable counts those Meta bills.
	Billable int `json:"billable"`
	// BillableByCategory counts the billable messages by pricing category
	// (marketing, utility, authentication, service, …).
	BillableByCategory map[string]int `json:"billable_by_category"`
}

// CostChannel is one channel's totals of the costs report.
type CostChannel struct {
	ChannelID string `json:"channel_id"`
	CostPeriod
}

// CostRow counts the messages of the range with one pricing: billable or
// not, model, category and type.
type CostRow struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type"`
	Messages     int    `json:"messages"`
}

// CostsReport counts the messages Meta reported pricing for, per period
// and channel, billable ones by category, and every pricing over the
// range. It has no amounts: the webhooks carry no price, and Meta's rates
// differ by country and volume tier, so an amount would be a guess.
type CostsReport struct {
	From     string        `json:"from"`
	To       string        `json:"to"`
	Interval Interval      `json:"interval"`
	TZ       string        `json:"tz"`
	Periods  []CostPeriod  `json:"periods"`
	Channels []CostChannel `json:"channels"`
	Pricing  []CostRow     `json:"pricing"`
	Total    CostPeriod    `json:"total"`
	rows     map[costKey]int
}

type costKey struct {
	period, channel string
	row             CostRow
}

func newCostPeriod(p string) CostPeriod {
	return CostPeriod{Period: p, BillableByCategory: map[string]int{}}
}

// Costs computes the costs report from 15-minute counts.
func Costs(r Range, counts []switchboard.ReportCostCount) *CostsReport {
	t := newTally(r, newCostPeriod)
	out := &CostsReport{From: r.FromDate, To: r.ToDate, Interval: r.Interval, TZ: r.Location.String(),
		Pricing: []CostRow{}, rows: map[costKey]int{}}
	pricing := map[CostRow]int{}
	for _, c := range counts {
		period, ok := t.add(c.Slot, c.ChannelID, func(p *CostPeriod) {
			p.Priced += c.Count
			if c.Billable {
				p.Billable += c.Count
				p.BillableByCategory[c.Category] += c.Count
			}
		})
		if ok {
			row := CostRow{Billable: c.Billable, PricingModel: c.Model, Category: c.Category, Type: c.Type}
			pricing[row] += c.Count
			out.rows[costKey{period, c.ChannelID, row}] += c.Count
		}
	}
	out.Periods, out.Total = t.periods, t.total
	out.Channels = channelRows(t, func(id string, p CostPeriod) CostChannel { return CostChannel{ChannelID: id, CostPeriod: p} })
	for row, n := range pricing {
		row.Messages = n
		out.Pricing = append(out.Pricing, row)
	}
	slices.SortFunc(out.Pricing, func(a, b CostRow) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), compareCostRow(a, b))
	})
	return out
}

func compareCostRow(a, b CostRow) int {
	return cmp.Or(cmp.Compare(boolInt(b.Billable), boolInt(a.Billable)), cmp.Compare(a.Category, b.Category),
		cmp.Compare(a.Type, b.Type), cmp.Compare(a.PricingModel, b.PricingModel))
}

// Table returns the report as CSV rows in long form: one row per period,
// channel and pricing.
func (rep *CostsReport) Table() [][]string {
	keys := make([]costKey, 0, len(rep.rows))
	for k := range rep.rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b costKey) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(a.channel, b.channel), compareCostRow(a.row, b.row))
	})
	rows := [][]string{{"period", "channel_id", "billable", "pricing_model", "category", "type", "messages"}}
	for _, k := range keys {
		rows = append(rows, []string{k.period, k.channel, strconv.FormatBool(k.row.Billable), k.row.PricingModel,
			k.row.Category, k.row.Type, strconv.Itoa(rep.rows[k])})
	}
	return rows
}
