package reports_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/reports"
)

var now = time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseRangeRefusesBadInput(t *testing.T) {
	for _, tc := range []struct{ from, to, interval, tz, want string }{
		{"2026-03-10", "2026-03-01", "", "", "from must not be after to"},
		{"2025-01-01", "2026-03-01", "", "", "at most 400 days"},
		{"2026-03-01", "2026-03-10", "", "Mars/Olympus", "tz must be an IANA time zone"},
		{"2026-03-01", "2026-03-10", "", "Local", "tz must be an IANA time zone"},
		{"yesterday", "", "", "", "from must be a date"},
		{"", "2026-02-30", "", "", "to must be a date"},
		{"", "", "hour", "", "interval must be day, week or month"},
	} {
		_, err := reports.ParseRange(tc.from, tc.to, tc.interval, tc.tz, now, berlin(t))
		if switchboard.ErrorCode(err) != switchboard.EInvalid || !strings.Contains(switchboard.ErrorMessage(err), tc.want) {
			t.Errorf("ParseRange(%q, %q, %q, %q) = %v, want EInvalid %q", tc.from, tc.to, tc.interval, tc.tz, err, tc.want)
		}
	}
}

func TestParseRangeCoversWholeLocalDays(t *testing.T) {
	// 2026-03-29 is the switch to summer time in Berlin: the day has 23 hours.
	r, err := reports.ParseRange("2026-03-28", "2026-03-29", "", "", now, berlin(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 27, 23, 0, 0, 0, time.UTC); !r.Start.Equal(want) {
		t.Errorf("start = %v, want %v", r.Start, want)
	}
	if want := time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC); !r.End.Equal(want) {
		t.Errorf("end = %v, want %v", r.End, want)
	}
	if got := strings.Join(r.Periods(), ","); got != "2026-03-28,2026-03-29" {
		t.Errorf("periods = %s", got)
	}
	// Without dates: the last 30 days up to today; 400 days are allowed.
	d, err := reports.ParseRange("", "", "", "UTC", now, nil)
	if err != nil || d.FromDate != "2026-03-01" || d.ToDate != "2026-03-30" {
		t.Errorf("default range = %+v, %v; want 2026-03-01 to 2026-03-30", d, err)
	}
	if _, err := reports.ParseRange("2025-02-24", "2026-03-30", "", "", now, nil); err != nil {
		t.Errorf("a 400-day range: %v", err)
	}
}

func TestPeriodsByWeekAndMonth(t *testing.T) {
	r, err := reports.ParseRange("2026-01-07", "2026-01-20", "week", "", now, berlin(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Periods(), ","); got != "2026-01-05,2026-01-12,2026-01-19" {
		t.Errorf("weeks = %s, want the Mondays", got)
	}
	r, err = reports.ParseRange("2026-01-31", "2026-03-01", "month", "", now, berlin(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Periods(), ","); got != "2026-01-01,2026-02-01,2026-03-01" {
		t.Errorf("months = %s", got)
	}
	if got := r.Period(time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)); got != "2026-02-01" {
		t.Errorf("31 January 23:30 UTC is in period %s in Berlin, want February", got)
	}
}

func TestSummariseUsesNearestRank(t *testing.T) {
	s := func(secs ...int) []time.Duration {
		out := make([]time.Duration, len(secs))
		for i, v := range secs {
			out[i] = time.Duration(v) * time.Second
		}
		return out
	}
	for _, tc := range []struct {
		in   []time.Duration
		want string
	}{
		{nil, `{"count":0,"median_seconds":null,"p90_seconds":null}`},
		{s(7), `{"count":1,"median_seconds":7,"p90_seconds":7}`},
		{s(40, 10, 30, 20), `{"count":4,"median_seconds":20,"p90_seconds":40}`},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), `{"count":10,"median_seconds":5,"p90_seconds":9}`},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), `{"count":11,"median_seconds":6,"p90_seconds":10}`},
	} {
		b, _ := json.Marshal(reports.Summarise(tc.in))
		if string(b) != tc.want {
			t.Errorf("Summarise(%v) = %s, want %s", tc.in, b, tc.want)
		}
	}
}

func TestStatusChangesThatChangeNothingAreDropped(t *testing.T) {
	r, _ := reports.ParseRange("2026-01-05", "2026-01-05", "", "UTC", now, nil)
	opened := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	h := func(m int) time.Time { return opened.Add(time.Duration(m) * time.Minute) }
	changes := []switchboard.ReportStatusChange{
		{ConversationID: "c", OpenedAt: opened, At: h(60), Status: switchboard.StatusResolved, ActorID: "u"},
		// The user reopens, then the customer writes: one reopen.
		{ConversationID: "c", OpenedAt: opened, At: h(90), Status: switchboard.StatusOpen, ActorID: "u"},
		{ConversationID: "c", OpenedAt: opened, At: h(95), Status: switchboard.StatusOpen, ByCustomer: true},
		{ConversationID: "c", OpenedAt: opened, At: h(120), Status: switchboard.StatusResolved, ActorID: "u"},
	}
	rep := reports.Conversations(r, nil, changes, nil)
	if p := rep.Total; p.Resolved != 2 || p.Reopened != 1 || *p.Resolution.MedianSeconds != 1800 || *p.Resolution.P90Seconds != 3600 {
		b, _ := json.Marshal(p)
		t.Errorf("total = %s, want 2 closes (60 and 30 minutes) and 1 reopen", b)
	}
}
