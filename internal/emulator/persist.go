package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stateVersion is the format of Config.StateFile.
const stateVersion = 1

// savedState is what survives a restart: the virtual customers and when
// each last wrote to each number, which is all a reply needs (the service
// window). Messages, media and deliveries are not kept: the inbox has its
// own copy of the conversation.
type savedState struct {
	Version   int             `json:"version"`
	Customers []savedCustomer `json:"customers"`
	Windows   []savedWindow   `json:"windows"`
	// Blocked is the Block Users API's blocklist (absent in older files).
	Blocked []savedBlock `json:"blocked,omitempty"`
}

type savedBlock struct {
	PNID  string    `json:"phone_number_id"`
	WaID  string    `json:"wa_id"`
	Since time.Time `json:"since"`
}

type savedCustomer struct {
	WaID         string `json:"wa_id"`
	Name         string `json:"name"`
	UserID       string `json:"user_id"`
	Username     string `json:"username,omitempty"`
	UsernameOnly bool   `json:"username_only,omitempty"`
	PNID         string `json:"phone_number_id,omitempty"`
}

type savedWindow struct {
	PNID          string    `json:"phone_number_id"`
	WaID          string    `json:"wa_id"`
	LastInboundAt time.Time `json:"last_inbound_at"`
}

// loadState reads Config.StateFile into e; a missing file is an empty state.
func (e *Emulator) loadState() error {
	b, err := os.ReadFile(e.cfg.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("emulator: read state: %w", err)
	}
	var st savedState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("emulator: read state %s: %w", e.cfg.StateFile, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("emulator: state %s has version %d, want %d", e.cfg.StateFile, st.Version, stateVersion)
	}
	for _, c := range st.Customers {
		if c.WaID == "" {
			continue
		}
		userID := c.UserID
		if userID == "" {
			userID = bsuidFor(c.WaID)
		}
		e.customers[c.WaID] = &customer{waID: c.WaID, name: c.Name, userID: userID, username: c.Username, usernameOnly: c.UsernameOnly, pnid: c.PNID}
		e.byUserID[userID] = c.WaID
	}
	for _, w := range st.Windows {
		e.lastInbound[pairKey{w.PNID, w.WaID}] = w.LastInboundAt
	}
	for _, b := range st.Blocked {
		e.blocked[pairKey{b.PNID, b.WaID}] = b.Since
	}
	return nil
}

// snapshotLocked is the state to save, in a stable order.
func (e *Emulator) snapshotLocked() savedState {
	st := savedState{Version: stateVersion, Customers: []savedCustomer{}, Windows: []savedWindow{}}
	for _, c := range e.customers {
		st.Customers = append(st.Customers, savedCustomer{WaID: c.waID, Name: c.name, UserID: c.userID, Username: c.username, UsernameOnly: c.usernameOnly, PNID: c.pnid})
	}
	slices.SortFunc(st.Customers, func(a, b savedCustomer) int { return cmpString(a.WaID, b.WaID) })
	for k, t := range e.lastInbound {
		st.Windows = append(st.Windows, savedWindow{PNID: k.pnid, WaID: k.waID, LastInboundAt: t})
	}
	slices.SortFunc(st.Windows, func(a, b savedWindow) int {
		if c := cmpString(a.PNID, b.PNID); c != 0 {
			return c
		}
		return cmpString(a.WaID, b.WaID)
	})
	for k, t := range e.blocked {
		st.Blocked = append(st.Blocked, savedBlock{PNID: k.pnid, WaID: k.waID, Since: t})
	}
	slices.SortFunc(st.Blocked, func(a, b savedBlock) int {
		if c := cmpString(a.PNID, b.PNID); c != 0 {
			return c
		}
		return cmpString(a.WaID, b.WaID)
	})
	return st
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// saveState writes the state if it changed since the last save: to a
// temporary file in the same directory, then renamed over the old one, so
// a crash leaves either the old or the new file, never half of one.
func (e *Emulator) saveState() error {
	if e.cfg.StateFile == "" {
		return nil
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	e.mu.Lock()
	if !e.dirty {
		e.mu.Unlock()
		return nil
	}
	st := e.snapshotLocked()
	e.dirty = false
	e.mu.Unlock()
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(e.cfg.StateFile)
	f, err := os.CreateTemp(dir, ".emulator-state-*")
	if err != nil {
		e.markDirty()
		return fmt.Errorf("emulator: save state: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		e.markDirty()
		return fmt.Errorf("emulator: save state: %w", err)
	}
	if err := os.Rename(tmp, e.cfg.StateFile); err != nil {
		os.Remove(tmp)
		e.markDirty()
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

func (e *Emulator) markDirty() {
	e.mu.Lock()
	e.dirty = true
	e.mu.Unlock()
}
