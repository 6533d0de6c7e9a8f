package switchboard

import (
	"testing"
	"time"
)

func TestAttributeDefValidateValue(t *testing.T) {
	list := &AttributeDef{Name: "Tier", Type: AttributeList, Options: []string{"Gold"}}
	cases := []struct {
		d       *AttributeDef
		in      string
		want    string
		invalid bool
	}{
		{&AttributeDef{Name: "Note", Type: AttributeText}, "  hello ", "hello", false},
		{&AttributeDef{Name: "Note", Type: AttributeText}, string(make([]rune, MaxAttributeText+1)), "", true},
		{&AttributeDef{Name: "N", Type: AttributeNumber}, "007", "7", false},
		{&AttributeDef{Name: "N", Type: AttributeNumber}, "3.50", "3.5", false},
		{&AttributeDef{Name: "N", Type: AttributeNumber}, "-1e3", "-1000", false},
		{&AttributeDef{Name: "N", Type: AttributeNumber}, "many", "", true},
		{&AttributeDef{Name: "N", Type: AttributeNumber}, "Inf", "", true},
		{&AttributeDef{Name: "N", Type: AttributeNumber}, "NaN", "", true},
		{&AttributeDef{Name: "D", Type: AttributeDate}, "2026-02-28", "2026-02-28", false},
		{&AttributeDef{Name: "D", Type: AttributeDate}, "2026-02-30", "", true},
		{&AttributeDef{Name: "D", Type: AttributeDate}, "28.02.2026", "", true},
		{list, "Gold", "Gold", false},
		{list, "gold", "", true},
		{list, "  ", "", false}, // empty: no value, for every type
	}
	for _, c := range cases {
		got, err := c.d.ValidateValue(c.in)
		if c.invalid != (ErrorCode(err) == EInvalid) || (!c.invalid && err != nil) || got != c.want {
			t.Errorf("%s.ValidateValue(%q) = %q, %v; want %q, invalid %v", c.d.Type, c.in, got, err, c.want, c.invalid)
		}
	}
}

func TestAttributeDefValidate(t *testing.T) {
	for _, d := range []AttributeDef{
		{Name: "", Type: AttributeText},
		{Name: string(make([]rune, MaxAttributeName+1)), Type: AttributeText},
		{Name: "x", Type: "colour"},
		{Name: "x", Type: AttributeText, Options: []string{"a"}},
		{Name: "x", Type: AttributeList},
		{Name: "x", Type: AttributeList, Options: []string{"a", " a"}},
		{Name: "x", Type: AttributeList, Options: []string{""}},
	} {
		if err := d.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("Validate(%+v) = %v, want invalid", d, err)
		}
	}
	old := &AttributeDef{ID: "a", Name: "Tier", Type: AttributeList, Options: []string{"Gold"}}
	if _, err := (&AttributeDef{Name: "Tier", Type: AttributeText}).Apply(old, time.Now()); err != ErrAttributeTypeFixed {
		t.Errorf("Apply with a new type = %v", err)
	}
}
