package storekit

import (
	"encoding/json"

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
