package storekit_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboardhq/switchboard/internal/storekit"
)

func TestLoadMigrations(t *testing.T) {
	files := func(names ...string) fstest.MapFS {
		fsys := fstest.MapFS{}
		for _, n := range names {
			fsys["migrations/"+n] = &fstest.MapFile{Data: []byte("-- " + n)}
		}
		return fsys
	}
	for _, tt := range []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr string
	}{
		{"in order", files("0002_b.sql", "0001_a.sql", "0003_c.sql"), []int{1, 2, 3}, ""},
		{"none", files(), nil, ""},
		{"gap", files("0001_a.sql", "0003_c.sql"), nil, "migration 0003_c.sql: expected version 2"},
		{"not from one", files("0002_b.sql"), nil, "migration 0002_b.sql: expected version 1"},
		{"same number twice", files("0001_a.sql", "0002_b.sql", "0002_x.sql"), nil, "migrations 0002_b.sql and 0002_x.sql have the same version"},
		{"no number", files("0001_a.sql", "init.sql"), nil, "migration init.sql: name must start with a positive number and '_'"},
		{"zero", files("0000_a.sql"), nil, "migration 0000_a.sql: name must start with a positive number and '_'"},
	} {
		ms, err := storekit.LoadMigrations(tt.fsys, "migrations")
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var got []int
		for _, m := range ms {
			got = append(got, m.Version)
			if m.SQL != "-- "+m.Name {
				t.Errorf("%s: %s has SQL %q", tt.name, m.Name, m.SQL)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: versions %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNameCache(t *testing.T) {
	var c storekit.NameCache
	if _, ok := c.Get("c1", []byte("s1")); ok {
		t.Fatal("empty cache returned a name")
	}
	c.Put("c1", []byte("s1"), "Kim")
	if name, ok := c.Get("c1", []byte("s1")); !ok || name != "Kim" {
		t.Errorf("Get = %q, %v, want Kim", name, ok)
	}
	if _, ok := c.Get("c1", []byte("s2")); ok {
		t.Error("a name was returned for another ciphertext")
	}
	c.Forget("c1")
	if _, ok := c.Get("c1", []byte("s1")); ok {
		t.Error("a forgotten name was returned")
	}

	// A contact without a sealed name is never cached: the SQLite copy of
	// this cache stored it, and then answered every later nil with it.
	c.Put("c2", nil, "Old name")
	if name, ok := c.Get("c2", nil); ok {
		t.Errorf("Get(nil) = %q, want no entry", name)
	}
	c.Put("c3", []byte{}, "")
	if _, ok := c.Get("c3", nil); ok {
		t.Error("an empty ciphertext matched nil")
	}
}

func TestNameCacheBounded(t *testing.T) {
	var c storekit.NameCache
	for i := range storekit.MaxCachedNames + 1 {
		c.Put(fmt.Sprint(i), []byte{1}, "n")
	}
	if _, ok := c.Get("0", []byte{1}); ok {
		t.Error("the cache grew past MaxCachedNames instead of starting over")
	}
	if _, ok := c.Get(fmt.Sprint(storekit.MaxCachedNames), []byte{1}); !ok {
		t.Error("the newest entry is missing")
	}
}

func TestClampLimitAndPage(t *testing.T) {
	for in, want := range map[int]int{-1: 50, 0: 50, 1: 1, 200: 200, 201: 200} {
		if got := storekit.ClampLimit(in); got != want {
			t.Errorf("ClampLimit(%d) = %d, want %d", in, got, want)
		}
	}
	cursor := func(s string) string { return "after:" + s }
	page, next := storekit.Page([]string{"a", "b", "c"}, 2, cursor)
	if !slices.Equal(page, []string{"a", "b"}) || next != "after:b" {
		t.Errorf("Page(3 of 2) = %v, %q", page, next)
	}
	page, next = storekit.Page([]string{"a", "b"}, 2, cursor)
	if !slices.Equal(page, []string{"a", "b"}) || next != "" {
		t.Errorf("Page(2 of 2) = %v, %q", page, next)
	}
}

func TestLikePatterns(t *testing.T) {
	if got := storekit.EscapeLike(`50%_off\`); got != `50\%\_off\\` {
		t.Errorf("EscapeLike = %q", got)
	}
	for q, want := range map[string]string{"MÜLLER": "%muller%", "  ": "", "a_b": `%a\_b%`, "ОЛЬГА  К": "%ольга к%"} {
		got, ok := storekit.ContainsPattern(q)
		if got != want || ok != (want != "") {
			t.Errorf("ContainsPattern(%q) = %q, %v, want %q", q, got, ok, want)
		}
	}
	key := storekit.UserSearchKey("Jürgen", "İlker Yılmaz")
	if key != "jurgen\nilker yilmaz" {
		t.Errorf("UserSearchKey = %q", key)
	}
	if pat, _ := storekit.ContainsPattern("jurgen\nilker"); strings.Contains(pat, "\n") {
		t.Errorf("a query pattern kept a line break: %q", pat)
	}
}

func TestChainPage(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{0, 1000}, {-5, 1000}, {1, 1}, {10000, 10000}, {10001, 10000}} {
		if got := storekit.ChainPage(tc.in); got != tc.want {
			t.Errorf("storekit.ChainPage(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
