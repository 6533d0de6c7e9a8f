package reports

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// setStore serves duration sets as a store would, for ReadDurations.
type setStore struct {
	switchboard.ReportRollupStore
	sets []switchboard.ReportDaySet
}

func (s setStore) ReportDaySets(context.Context, switchboard.ReportScope, []string) ([]switchboard.ReportDaySet, error) {
	return s.sets, nil
}

func TestDurationSetsKeepEveryDurationExactly(t *testing.T) {
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	at := func(h, m, s, us int) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(us)*time.Microsecond)
	}
	durs := []switchboard.ReportDuration{
		// Out of order, two on the same microsecond, a start after the
		// time (a first response: the customer wrote after the opening),
		// a start long before it (a resolution), one on the next day, one
		// of another kind, user and channel.
		{Kind: KindFirst, At: at(23, 59, 59, 999999), ChannelID: "a", UserID: "u", Seconds: 7, Start: at(23, 59, 59, 999999).Add(3 * time.Second)},
		{Kind: KindFirst, At: at(0, 0, 0, 0), ChannelID: "a", UserID: "u", Seconds: 0, Start: at(0, 0, 0, 0)},
		{Kind: KindFirst, At: at(9, 0, 0, 1), ChannelID: "a", UserID: "u", Seconds: 120, Start: at(9, 0, 5, 17)},
		{Kind: KindFirst, At: at(9, 0, 0, 1), ChannelID: "a", UserID: "u", Seconds: 60, Start: at(9, 0, 0, 1)},
		{Kind: KindResolution, At: at(10, 0, 0, 0), ChannelID: "a", UserID: "v", Seconds: 90 * 24 * 3600, Start: at(10, 0, 0, 0).AddDate(0, 0, -90).Add(-time.Millisecond)},
		{Kind: KindFirst, At: at(24, 0, 0, 0), ChannelID: "a", UserID: "u", Seconds: 1, Start: at(24, 0, 1, 0)},
		{Kind: KindFirst, At: at(12, 0, 0, 0), ChannelID: "b", UserID: "", Seconds: 5, Start: at(12, 0, 0, 0)},
	}
	sets := packDurations(durs, Hours{})
	if len(sets) != 4 {
		t.Fatalf("%d sets, want 4 (day, channel, kind and user)", len(sets))
	}
	st := setStore{sets: sets}
	got, err := ReadDurations(context.Background(), st, switchboard.ReportScope{From: day.Add(-time.Hour), To: day.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(durs) {
		t.Fatalf("%d durations, want %d", len(got), len(durs))
	}
	for _, d := range durs {
		d.Business = d.Seconds // no business hours: every second counts
		found := false
		for _, g := range got {
			if reflect.DeepEqual(g, d) {
				found = true
			}
		}
		if !found {
			t.Errorf("lost %+v", d)
		}
	}
	// A scope keeps only the durations within it, to the microsecond.
	got, err = ReadDurations(context.Background(), st, switchboard.ReportScope{From: at(9, 0, 0, 1), To: at(23, 59, 59, 999999)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("%d durations within [09:00:00.000001, 23:59:59.999999), want 4: %+v", len(got), got)
	}
	// Damaged data is an error, not a wrong figure.
	bad := sets[0]
	bad.Data = append([]byte{}, bad.Data[:len(bad.Data)-1]...)
	bad.Data[len(bad.Data)-1] |= 0x80
	for _, b := range []switchboard.ReportDaySet{bad, {Day: day}} {
		if _, err := ReadDurations(context.Background(), setStore{sets: []switchboard.ReportDaySet{b}}, switchboard.ReportScope{From: day, To: day.Add(24 * time.Hour)}); !errors.Is(err, errDaySet) {
			t.Errorf("damaged set: err %v, want errDaySet", err)
		}
	}
}

func TestLevelOfPicksTheCoarsestAlignedLevel(t *testing.T) {
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		bounds []time.Time
		want   string
	}{
		{"UTC days", []time.Time{day, day.AddDate(0, 0, 1), day.AddDate(0, 1, 0)}, dayLevel},
		{"Berlin days", []time.Time{day.Add(-time.Hour), day.Add(23 * time.Hour), day.AddDate(0, 0, 1)}, hourLevel},
		{"Kolkata days", []time.Time{day.Add(-330 * time.Minute), day.Add(1110 * time.Minute)}, ""},
		{"one bound off the hour", []time.Time{day, day.Add(time.Hour), day.Add(75 * time.Minute)}, ""},
	} {
		if got := levelOf(tc.bounds); got != tc.want {
			t.Errorf("%s: level %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDurationSetsKeepTheBusinessTimeOfTheHoursInForce(t *testing.T) {
	office := []switchboard.BusinessInterval{{Open: "09:00", Close: "17:00"}}
	early := []switchboard.BusinessInterval{{Open: "06:00", Close: "14:00"}}
	clock := func(iv []switchboard.BusinessInterval) *switchboard.BusinessClock {
		b := switchboard.BusinessHours{TimeZone: "Europe/Berlin", Week: [7][]switchboard.BusinessInterval{iv, iv, iv, iv, iv}}
		c, err := b.Clock()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	then, now := Hours{"a": clock(office)}, Hours{"a": clock(early)}
	if then["a"].Fingerprint() == now["a"].Fingerprint() || then["a"].Fingerprint() != clock(office).Fingerprint() {
		t.Fatal("fingerprints do not tell the schedules apart")
	}
	// Monday 2026-01-05 07:00 Berlin, answered at 10:00: one business hour
	// by the office hours, three by the early ones.
	start := time.Date(2026, 1, 5, 6, 0, 0, 0, time.UTC)
	d := switchboard.ReportDuration{Kind: KindFirst, At: start, ChannelID: "a", Seconds: 3 * 3600, Start: start}
	got, err := ReadDurations(context.Background(), setStore{sets: packDurations([]switchboard.ReportDuration{d}, then)},
		switchboard.ReportScope{From: start, To: start.Add(time.Hour)})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v, %+v", err, got)
	}
	if got[0].Business != 3600 || got[0].Hours != then["a"].Fingerprint() {
		t.Errorf("stored business %d s by %x, want 3600 s by the office hours", got[0].Business, got[0].Hours)
	}
	for _, tc := range []struct {
		name string
		h    Hours
		want time.Duration
	}{{"hours unchanged: as stored", then, time.Hour}, {"hours changed: measured again", now, 3 * time.Hour}, {"hours removed", Hours{}, 3 * time.Hour}} {
		if v := tc.h.spanOf(got[0], tc.h.fingerprints()); v.business != tc.want || v.wall != 3*time.Hour {
			t.Errorf("%s: %v of %v, want %v", tc.name, v.business, v.wall, tc.want)
		}
	}
}

func TestSummariseSelectsTheSameRanksAsSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 10, 17, 18, 100, 1001, 5000} {
		for _, spread := range []int64{1, 3, 60, 1_000_000} {
			ds := make([]time.Duration, n)
			for i := range ds {
				ds[i] = time.Duration(rng.Int64N(spread)) * time.Second
			}
			sorted := slices.Clone(ds)
			slices.Sort(sorted)
			at := func(pct int) int64 { return int64(sorted[max((pct*n+99)/100, 1)-1] / time.Second) }
			got := Summarise(ds)
			if got.Count != n || *got.MedianSeconds != at(50) || *got.P90Seconds != at(90) {
				t.Errorf("n %d spread %d: %d, median %d, p90 %d; want median %d, p90 %d", n, spread, got.Count, *got.MedianSeconds, *got.P90Seconds, at(50), at(90))
			}
		}
	}
}
