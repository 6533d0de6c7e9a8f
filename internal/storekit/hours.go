package storekit

import (
	"encoding/json"
	"fmt"

	"github.com/switchboardhq/switchboard"
)

// BusinessHoursColumn is the stored form of a channel's business hours:
// their JSON, or nil (NULL) when none are set.
func BusinessHoursColumn(b *switchboard.BusinessHours) *string {
	if b == nil {
		return nil
	}
	js, _ := json.Marshal(b) // plain strings and slices: cannot fail
	s := string(js)
	return &s
}

// ParseBusinessHoursColumn reads what [BusinessHoursColumn] stored.
func ParseBusinessHoursColumn(v *string) (*switchboard.BusinessHours, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	var b switchboard.BusinessHours
	if err := json.Unmarshal([]byte(*v), &b); err != nil {
		return nil, fmt.Errorf("business hours column: %w", err)
	}
	return &b, nil
}
