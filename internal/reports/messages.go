package reports

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// MessagePeriod is one period of the messages report.
type MessagePeriod struct {
	Period string `json:"period"`
	In     int    `json:"in"`
	Out    int    `json:"out"`
	// Failed counts outbound messages WhatsApp did not deliver.
	Failed int `json:"failed"`
	// InByType and OutByType count the messages by WhatsApp type.
	InByType  map[string]int `json:"in_by_type"`
	OutByType map[string]int `json:"out_by_type"`
}

// ErrorCount is how many messages failed with one WhatsApp error code.
type ErrorCount struct {
	Code  int `json:"code"`
	Count int `json:"count"`
}

// MessagesReport counts messages per period by direction and type, and
// failures by WhatsApp error code.
type MessagesReport struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	Interval Interval        `json:"interval"`
	TZ       string          `json:"tz"`
	Periods  []MessagePeriod `json:"periods"`
	Errors   []ErrorCount    `json:"errors"`
	Total    MessagePeriod   `json:"total"`
	// rows keeps the long form for the CSV export.
	rows map[csvKey]int
}

type csvKey struct {
	period, direction, typ string
	code                   int
	failed                 bool
}

// Messages computes the messages report from 15-minute counts.
func Messages(r Range, counts []switchboard.ReportMessageCount) *MessagesReport {
	t := newTally(r, func(p string) MessagePeriod {
		return MessagePeriod{Period: p, InByType: map[string]int{}, OutByType: map[string]int{}}
	})
	out := &MessagesReport{From: r.FromDate, To: r.ToDate, Interval: r.Interval, TZ: r.Location.String(),
		Errors: []ErrorCount{}, rows: map[csvKey]int{}}
	errs := map[int]int{}
	for _, c := range counts {
		// The messages report has no per-channel figures.
		period, ok := t.add(c.Slot, "", func(p *MessagePeriod) {
			if c.Direction == switchboard.DirectionIn {
				p.In += c.Count
				p.InByType[string(c.Type)] += c.Count
			} else {
				p.Out += c.Count
				p.OutByType[string(c.Type)] += c.Count
			}
			if c.Failed {
				p.Failed += c.Count
			}
		})
		if !ok {
			continue
		}
		if c.Failed {
			errs[c.ErrorCode] += c.Count
		}
		out.rows[csvKey{period, string(c.Direction), string(c.Type), c.ErrorCode, c.Failed}] += c.Count
	}
	out.Periods, out.Total = t.periods, t.total
	for code, n := range errs {
		out.Errors = append(out.Errors, ErrorCount{Code: code, Count: n})
	}
	slices.SortFunc(out.Errors, func(a, b ErrorCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code)) })
	return out
}

// Table returns the report as CSV rows in long form: one row per period,
// direction, type and outcome (error_code is empty unless failed).
func (rep *MessagesReport) Table() [][]string {
	keys := make([]csvKey, 0, len(rep.rows))
	for k := range rep.rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b csvKey) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(a.direction, b.direction), cmp.Compare(a.typ, b.typ),
			cmp.Compare(boolInt(a.failed), boolInt(b.failed)), cmp.Compare(a.code, b.code))
	})
	rows := [][]string{{"period", "direction", "type", "failed", "error_code", "messages"}}
	for _, k := range keys {
		code := ""
		if k.failed && k.code != 0 {
			code = strconv.Itoa(k.code)
		}
		rows = append(rows, []string{k.period, k.direction, k.typ, strconv.FormatBool(k.failed), code, strconv.Itoa(rep.rows[k])})
	}
	return rows
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
