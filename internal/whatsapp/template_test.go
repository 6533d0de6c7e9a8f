package whatsapp

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func orderTemplate() Template {
	return Template{
		ID: "594425479261596", Name: "bestellung_versandt", Language: "de", Status: TemplateApproved, Category: "UTILITY",
		Components: []TemplateComponent{
			{Type: "HEADER", Format: "TEXT", Text: "Bestellung {{1}}"},
			{Type: "BODY", Text: "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs. {{1}}, danke!"},
			{Type: "FOOTER", Text: "Keine Antwort? {{nicht}} ersetzt"},
			{Type: "BUTTONS", Buttons: []TemplateButton{
				{Type: "QUICK_REPLY", Text: "Stopp"},
				{Type: "URL", Text: "Verfolgen", URL: "https://example.com/track/{{1}}"},
			}},
		},
	}
}

func TestTemplatePlaceholders(t *testing.T) {
	got := orderTemplate().Placeholders()
	want := []Placeholder{
		{Key: "header.1", Component: "header", Name: "1"},
		{Key: "body.1", Component: "body", Name: "1"},
		{Key: "body.2", Component: "body", Name: "2"},
		{Key: "button.1.1", Component: "button", Name: "1", Index: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Placeholders = %+v\nwant %+v", got, want)
	}
	media := Template{Components: []TemplateComponent{{Type: "HEADER", Format: "IMAGE"}, {Type: "BODY", Text: "Hi {{first_name}} {{ order_id }} {x} {{Bad-Name}} {{{1}}"}}}
	want = []Placeholder{
		{Key: "header", Component: "header", Name: "image"},
		{Key: "body.first_name", Component: "body", Name: "first_name"},
		{Key: "body.order_id", Component: "body", Name: "order_id"},
		{Key: "body.1", Component: "body", Name: "1"},
	}
	if got := media.Placeholders(); !reflect.DeepEqual(got, want) {
		t.Errorf("Placeholders = %+v\nwant %+v", got, want)
	}
}

func TestBuildTemplateComponents(t *testing.T) {
	comps, err := BuildTemplateComponents(orderTemplate(), map[string]string{
		"header.1": "A-1001", "body.1": "Jürgen", "body.2": "A-1001", "button.1.1": "A-1001",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(comps)
	want := `[{"type":"header","parameters":[{"type":"text","text":"A-1001"}]},` +
		`{"type":"body","parameters":[{"type":"text","text":"Jürgen"},{"type":"text","text":"A-1001"}]},` +
		`{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"A-1001"}]}]`
	if string(got) != want {
		t.Errorf("components =\n%s\nwant\n%s", got, want)
	}

	named := Template{Name: "promo", ParameterFormat: ParamFormatNamed, Components: []TemplateComponent{
		{Type: "HEADER", Format: "DOCUMENT"},
		{Type: "BODY", Text: "Hallo {{first_name}}, Code {{code}}"},
	}}
	comps, err = BuildTemplateComponents(named, map[string]string{"header": "https://cdn.example.com/a.pdf", "body.first_name": "Anna", "body.code": "X1"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = json.Marshal(comps)
	want = `[{"type":"header","parameters":[{"type":"document","document":{"link":"https://cdn.example.com/a.pdf"}}]},` +
		`{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Anna"},{"type":"text","parameter_name":"code","text":"X1"}]}]`
	if string(got) != want {
		t.Errorf("named components =\n%s\nwant\n%s", got, want)
	}

	comps, err = BuildTemplateComponents(Template{Name: "plain", Components: []TemplateComponent{{Type: "BODY", Text: "Danke!"}}}, nil)
	if err != nil || len(comps) != 0 {
		t.Errorf("no placeholders: %v %v", comps, err)
	}
}

func TestBuildTemplateComponentsErrors(t *testing.T) {
	tests := []struct {
		name        string
		tpl         Template
		params      map[string]string
		wantMissing []string
		wantExtra   []string
		wantProblem bool
	}{
		{"missing and extra", orderTemplate(), map[string]string{"header.1": "x", "body.1": "y", "body.3": "z", "1": "w"},
			[]string{"body.2", "button.1.1"}, []string{"1", "body.3"}, false},
		{"empty value counts as missing", orderTemplate(), map[string]string{"header.1": "x", "body.1": "", "body.2": "z", "button.1.1": "b"},
			[]string{"body.1"}, nil, false},
		{"gap in numbering", Template{Name: "gap", Components: []TemplateComponent{{Type: "BODY", Text: "{{1}} {{3}}"}}},
			map[string]string{"body.1": "a", "body.3": "c"}, nil, nil, true},
		{"mixed named and numbered", Template{Name: "mixed", Components: []TemplateComponent{{Type: "BODY", Text: "{{1}} {{name}}"}}},
			map[string]string{"body.1": "a", "body.name": "c"}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildTemplateComponents(tt.tpl, tt.params)
			var te *TemplateParamsError
			if !errors.As(err, &te) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(te.Missing, tt.wantMissing) || !reflect.DeepEqual(te.Extra, tt.wantExtra) || (te.Problem != "") != tt.wantProblem {
				t.Errorf("error = %+v", te)
			}
			if te.Error() == "" {
				t.Error("empty message")
			}
		})
	}
}
