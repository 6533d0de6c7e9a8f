package dump

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var testTable = &Table{Name: "t", Columns: []Column{
	{Name: "s", Kind: Text}, {Name: "n", Kind: Int}, {Name: "b", Kind: Bool}, {Name: "at", Kind: Time},
	{Name: "raw", Kind: Bytes}, {Name: "maybe", Kind: Time, Null: true}, {Name: "blob", Kind: Bytes, Null: true},
}}

// TestRowRoundTrip writes rows as JSON lines and parses them back, with
// every kind, NULLs, escapes, non-ASCII text and extreme values.
func TestRowRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	rows := [][]any{
		{"plain", int64(0), false, at, []byte{}, nil, nil},
		{"Jürgen \"Q\" \\ \n\r\t \x00\x1f </script> 😀 \u2028", int64(-1 << 63), true, time.UnixMicro(0).UTC(), []byte{0, 1, 0xff}, at, []byte("x")},
		{"", int64(1<<63 - 1), true, at, make([]byte, 1000), time.Time{}.UTC(), []byte{}},
	}
	for i, row := range rows {
		line, err := AppendRow(nil, testTable, row)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(line) || line[len(line)-1] != '\n' || strings.Count(string(line), "\n") != 1 {
			t.Fatalf("row %d: not one JSON line: %q", i, line)
		}
		// encoding/json reads the same strings.
		var generic []any
		if err := json.Unmarshal(line, &generic); err != nil || generic[0] != row[0] {
			t.Fatalf("row %d: encoding/json reads %q: %v", i, generic[0], err)
		}
		got, err := ParseRow(line[:len(line)-1], testTable, nil)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		again, err := AppendRow(nil, testTable, got)
		if err != nil || string(again) != string(line) {
			t.Fatalf("row %d: round trip\n%q\n%q (%v)", i, line, again, err)
		}
		if got[3].(time.Time).Nanosecond()%1000 != 0 || !got[3].(time.Time).Equal(row[3].(time.Time).Truncate(time.Microsecond)) {
			t.Fatalf("row %d: time %v", i, got[3])
		}
	}
	// encoding/json's escapes parse too.
	b, _ := json.Marshal([]any{"a\u00e9\"/\\\b\f😀", 1, true, "2026-01-01T00:00:00Z", "AAE=", nil, nil})
	got, err := ParseRow(b, testTable, nil)
	if err != nil || got[0] != "a\u00e9\"/\\\b\f😀" {
		t.Fatalf("encoding/json row: %q %v", got, err)
	}
}

func TestRowErrors(t *testing.T) {
	at := time.Now()
	if _, err := AppendRow(nil, testTable, []any{"s", 1, false, at, []byte{}, nil, nil}); !errors.Is(err, ErrValue) {
		t.Fatalf("int (not int64): %v", err)
	}
	if _, err := AppendRow(nil, testTable, []any{nil, int64(1), false, at, []byte{}, nil, nil}); !errors.Is(err, ErrValue) {
		t.Fatalf("NULL in NOT NULL: %v", err)
	}
	for _, line := range []string{
		`["s",1,false,"2026-01-01T00:00:00Z","",null]`,
		`["s",1,false,"2026-01-01T00:00:00Z","",null,null,1]`,
		`["s","1",false,"2026-01-01T00:00:00Z","",null,null]`,
		`["s",1,false,"yesterday","",null,null]`,
		`["s",1,false,"2026-01-01T00:00:00Z","!!",null,null]`,
		`[null,1,false,"2026-01-01T00:00:00Z","",null,null]`,
		`["s,1,false,"2026-01-01T00:00:00Z","",null,null]`,
		`["s",1,false,"2026-01-01T00:00:00Z","",null,null] `,
	} {
		if _, err := ParseRow([]byte(line), testTable, nil); err == nil {
			t.Errorf("accepted %s", line)
		}
	}
}

// TestTables checks the logical schema's shape: unique names, known kinds,
// and every table's first column present.
func TestTables(t *testing.T) {
	seen := map[string]bool{}
	for _, tab := range Tables() {
		if seen[tab.Name] {
			t.Fatalf("table %s twice", tab.Name)
		}
		seen[tab.Name] = true
		cols := map[string]bool{}
		for _, c := range tab.Columns {
			switch c.Kind {
			case Text, Int, Bool, Time, Bytes:
			default:
				t.Fatalf("%s.%s: kind %q", tab.Name, c.Name, c.Kind)
			}
			if cols[c.Name] {
				t.Fatalf("%s.%s twice", tab.Name, c.Name)
			}
			cols[c.Name] = true
		}
		if Lookup(tab.Name) == nil {
			t.Fatalf("Lookup(%s)", tab.Name)
		}
	}
}

// TestUpgradeMapsClosedToResolved restores a conversation row of a backup
// from before version 9: its status "closed" is "resolved" now; other
// statuses and other tables stay as they are.
func TestUpgradeMapsClosedToResolved(t *testing.T) {
	conv := Lookup("conversations")
	status := -1
	for i, c := range conv.Columns {
		if c.Name == "status" {
			status = i
		}
	}
	if status < 0 {
		t.Fatal("conversations has no status column")
	}
	for in, want := range map[string]string{"closed": "resolved", "open": "open", "resolved": "resolved"} {
		row := make([]any, len(conv.Columns))
		row[status] = in
		Upgrade(conv, row)
		if row[status] != want {
			t.Errorf("status %q restored as %v, want %q", in, row[status], want)
		}
	}
	other := &Table{Name: "messages", Columns: []Column{{Name: "status", Kind: Text}}}
	row := []any{"closed"}
	Upgrade(other, row)
	if row[0] != "closed" {
		t.Errorf("a message status changed: %v", row[0])
	}
}
