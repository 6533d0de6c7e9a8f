package whatsapp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CategoryAuthentication is the category of one-time-password templates
// (Template.Category, compared case-insensitively), which Meta delivers to
// phone numbers only.
const CategoryAuthentication = "AUTHENTICATION"

// CategoryMarketing is the category of marketing templates, which a
// customer may stop receiving (user_preferences).
const CategoryMarketing = "MARKETING"

// Template statuses and parameter formats as Meta spells them.
const (
	TemplateApproved      = "APPROVED"
	ParamFormatNamed      = "NAMED"
	ParamFormatPositional = "POSITIONAL"
)

// Template is a message template as listed by [Client.ListTemplates]. Only
// APPROVED templates can be sent; (Name, Language) identifies one.
type Template struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	Language        string              `json:"language"`
	Status          string              `json:"status"`
	Category        string              `json:"category"`
	ParameterFormat string              `json:"parameter_format,omitempty"`
	Components      []TemplateComponent `json:"components,omitempty"`
	// QualityScore is the template's quality (GREEN, YELLOW, RED,
	// UNKNOWN), as the list returns it when asked for quality_score.
	QualityScore *TemplateQualityScore `json:"quality_score,omitempty"`
}

// TemplateQualityScore is the quality_score object of a template.
type TemplateQualityScore struct {
	Score string `json:"score"`
}

// Quality returns the template's quality score, or "".
func (t Template) Quality() string {
	if t.QualityScore == nil {
		return ""
	}
	return t.QualityScore.Score
}

// TemplateComponent is one part of a template definition. Type is HEADER,
// BODY, FOOTER or BUTTONS; Format is the header format (TEXT, IMAGE, VIDEO,
// DOCUMENT, LOCATION).
type TemplateComponent struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"`
	Text    string           `json:"text,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
}

// TemplateButton is a button of a BUTTONS component. A URL button whose
// URL contains a placeholder takes a parameter when sent.
type TemplateButton struct {
	Type        string `json:"type"`
	Text        string `json:"text,omitempty"`
	URL         string `json:"url,omitempty"`
	PhoneNumber string `json:"phone_number,omitempty"`
}

// Placeholder is one value a template needs when sent. Key is how
// [BuildTemplateComponents] expects it in its params map:
//
//   - "body.1", "body.first_name" for body text placeholders,
//   - "header.1", "header.name" for a text header placeholder,
//   - "header" for an IMAGE, VIDEO or DOCUMENT header (the value is a
//     media id or an https link),
//   - "button.0.1" for placeholder 1 in the URL of button 0.
//
// Keys are qualified because positional templates number the header and
// the body independently, so "1" alone would be ambiguous.
type Placeholder struct {
	Key       string
	Component string // header, body or button
	Name      string // "1", "first_name", or the header media format
	Index     int    // button index for button placeholders
}

// Placeholders lists the values the template needs, in send order: header,
// body, then buttons. Repeated placeholders are listed once.
func (t Template) Placeholders() []Placeholder {
	var out []Placeholder
	seen := make(map[string]bool)
	add := func(p Placeholder) {
		if !seen[p.Key] {
			seen[p.Key] = true
			out = append(out, p)
		}
	}
	for _, c := range t.Components {
		if strings.EqualFold(c.Type, "HEADER") {
			switch f := strings.ToUpper(c.Format); f {
			case "IMAGE", "VIDEO", "DOCUMENT":
				add(Placeholder{Key: "header", Component: "header", Name: strings.ToLower(f)})
			case "", "TEXT":
				for _, name := range placeholderNames(c.Text) {
					add(Placeholder{Key: "header." + name, Component: "header", Name: name})
				}
			}
		}
	}
	for _, c := range t.Components {
		if strings.EqualFold(c.Type, "BODY") {
			for _, name := range placeholderNames(c.Text) {
				add(Placeholder{Key: "body." + name, Component: "body", Name: name})
			}
		}
	}
	for _, c := range t.Components {
		if strings.EqualFold(c.Type, "BUTTONS") {
			for i, b := range c.Buttons {
				if !strings.EqualFold(b.Type, "URL") {
					continue
				}
				for _, name := range placeholderNames(b.URL) {
					add(Placeholder{Key: fmt.Sprintf("button.%d.%s", i, name), Component: "button", Name: name, Index: i})
				}
			}
		}
	}
	return out
}

// TemplateParamsError lists parameters that do not fit a template. It
// matches [ErrInvalid].
type TemplateParamsError struct {
	Template string
	Missing  []string
	Extra    []string
	Problem  string
}

// Error names the template and the offending keys.
func (e *TemplateParamsError) Error() string {
	var parts []string
	if e.Problem != "" {
		parts = append(parts, e.Problem)
	}
	if len(e.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(e.Missing, ", "))
	}
	if len(e.Extra) > 0 {
		parts = append(parts, "unexpected "+strings.Join(e.Extra, ", "))
	}
	return fmt.Sprintf("whatsapp: template %q parameters: %s", e.Template, strings.Join(parts, "; "))
}

// Is makes a TemplateParamsError match [ErrInvalid].
func (e *TemplateParamsError) Is(target error) bool { return target == ErrInvalid }

// BuildTemplateComponents turns params (keyed as in [Placeholder]) into the
// components of a template send. Every placeholder must have a non-empty
// value and every param must match a placeholder; otherwise it returns a
// [*TemplateParamsError] listing both, since Meta would reject the send
// (132000) or silently drop the surplus. Positional placeholders must be
// numbered 1..n without gaps; named ones are sent with parameter_name.
func BuildTemplateComponents(t Template, params map[string]string) ([]Component, error) {
	phs := t.Placeholders()
	perr := &TemplateParamsError{Template: t.Name}
	want := make(map[string]bool, len(phs))
	for _, p := range phs {
		want[p.Key] = true
		if params[p.Key] == "" {
			perr.Missing = append(perr.Missing, p.Key)
		}
	}
	for k := range params {
		if !want[k] {
			perr.Extra = append(perr.Extra, k)
		}
	}
	slices.Sort(perr.Extra)
	if problem := checkNumbering(phs); problem != "" {
		perr.Problem = problem
	}
	if len(perr.Missing) > 0 || len(perr.Extra) > 0 || perr.Problem != "" {
		return nil, perr
	}

	var comps []Component
	var header, body []Parameter
	buttons := make(map[int][]Parameter)
	var buttonOrder []int
	for _, p := range phs {
		v := params[p.Key]
		switch p.Component {
		case "header":
			if p.Key == "header" {
				header = append(header, mediaParameter(p.Name, v))
				continue
			}
			header = append(header, textParameter(p.Name, v))
		case "body":
			body = append(body, textParameter(p.Name, v))
		case "button":
			if _, ok := buttons[p.Index]; !ok {
				buttonOrder = append(buttonOrder, p.Index)
			}
			// URL button parameters are positional suffixes, never named.
			buttons[p.Index] = append(buttons[p.Index], Parameter{Type: "text", Text: v})
		}
	}
	if len(header) > 0 {
		comps = append(comps, Component{Type: "header", Parameters: header})
	}
	if len(body) > 0 {
		comps = append(comps, Component{Type: "body", Parameters: body})
	}
	for _, i := range buttonOrder {
		comps = append(comps, Component{Type: "button", SubType: "url", Index: strconv.Itoa(i), Parameters: buttons[i]})
	}
	return comps, nil
}

func textParameter(name, v string) Parameter {
	p := Parameter{Type: "text", Text: v}
	if !isNumber(name) {
		p.ParameterName = name
	}
	return p
}

func mediaParameter(format, v string) Parameter {
	m := &OutboundMedia{ID: v}
	if strings.HasPrefix(v, "https://") {
		m = &OutboundMedia{Link: v}
	}
	p := Parameter{Type: format}
	switch format {
	case "image":
		p.Image = m
	case "video":
		p.Video = m
	case "document":
		p.Document = m
	}
	return p
}

// checkNumbering rejects mixed named/positional placeholders within a
// component and positional numbering with gaps or not starting at 1;
// Meta refuses such templates, so a definition like that is corrupt data.
func checkNumbering(phs []Placeholder) string {
	groups := make(map[string][]string)
	var order []string
	for _, p := range phs {
		if p.Key == "header" {
			continue
		}
		g := p.Component + "." + strconv.Itoa(p.Index)
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], p.Name)
	}
	for _, g := range order {
		names := groups[g]
		var nums []int
		for _, n := range names {
			if v, err := strconv.Atoi(n); err == nil && isNumber(n) {
				nums = append(nums, v)
			}
		}
		if len(nums) == 0 {
			continue
		}
		if len(nums) != len(names) {
			return "mixes named and numbered placeholders"
		}
		slices.Sort(nums)
		for i, v := range nums {
			if v != i+1 {
				return "numbered placeholders must run from {{1}} without gaps"
			}
		}
	}
	return ""
}

// placeholderNames returns the names inside {{…}} in order of first
// appearance. Names are digits or lowercase letters, digits and
// underscores; anything else between braces is literal text.
func placeholderNames(text string) []string {
	var names []string
	for {
		start := strings.Index(text, "{{")
		if start < 0 {
			return names
		}
		rest := text[start+2:]
		end := strings.Index(rest, "}}")
		if end < 0 {
			return names
		}
		name := strings.TrimSpace(rest[:end])
		if validPlaceholder(name) && !slices.Contains(names, name) {
			names = append(names, name)
			text = rest[end+2:]
			continue
		}
		// Not a placeholder: resume after the first brace so that "{{{1}}"
		// still finds "{{1}}".
		text = text[start+1:]
	}
}

func validPlaceholder(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func isNumber(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
