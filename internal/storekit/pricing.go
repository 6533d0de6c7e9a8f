package storekit

import (
	"encoding/json"
	"time"

	"github.com/switchboardhq/switchboard"
)

// EncodePricing is a message's pricing as both stores keep it: JSON text,
// or NULL (nil) for none. Pricing is not customer data and is not sealed.
func EncodePricing(p *switchboard.MessagePricing) *string {
	if p == nil {
		return nil
	}
	b, err := json.Marshal(p.Bounded())
	if err != nil {
		return nil
	}
	s := string(b)
	return &s
}

// DecodePricing reads what EncodePricing wrote; NULL, empty or unreadable
// text is no pricing.
func DecodePricing(s *string) *switchboard.MessagePricing {
	if s == nil || *s == "" {
		return nil
	}
	var p switchboard.MessagePricing
	if json.Unmarshal([]byte(*s), &p) != nil {
		return nil
	}
	return &p
}

// CostCounts collects a costs query's rows: messages per slot, channel and
// stored pricing text, merged where the text differs but the pricing is
// the same (written in another field order). Unreadable text counts
// nowhere. The zero value is ready to use.
type CostCounts struct {
	idx  map[switchboard.ReportCostCount]int
	list []switchboard.ReportCostCount
}

// Add adds n messages of the slot and channel with the pricing text.
func (cc *CostCounts) Add(slot time.Time, channelID string, pricing *string, n int) {
	p := DecodePricing(pricing)
	if p == nil {
		return
	}
	k := switchboard.ReportCostCount{Slot: slot, ChannelID: channelID, Billable: p.Billable, Model: p.PricingModel, Category: p.Category, Type: p.Type}
	if cc.idx == nil {
		cc.idx = map[switchboard.ReportCostCount]int{}
	}
	if i, ok := cc.idx[k]; ok {
		cc.list[i].Count += n
		return
	}
	cc.idx[k] = len(cc.list)
	k.Count = n
	cc.list = append(cc.list, k)
}

// List returns the counts (never nil).
func (cc *CostCounts) List() []switchboard.ReportCostCount {
	if cc.list == nil {
		return []switchboard.ReportCostCount{}
	}
	return cc.list
}

// PrefixEnd is the least string greater than every string that starts
// with prefix, for a range scan (metric >= prefix AND metric < end) in
// byte order; prefix must end in a byte below 0xff (the report metrics'
// prefixes end in '|').
func PrefixEnd(prefix string) string {
	b := []byte(prefix)
	b[len(b)-1]++
	return string(b)
}
