package aibot

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// textFile is an operator-editable text file (system prompt, knowledge),
// re-read when its size or modification time changes, or on reload. A
// file that cannot be read keeps the last good text; the error is
// reported once per change.
type textFile struct {
	path string
	def  string

	mu      sync.Mutex
	text    string
	size    int64
	modTime time.Time
	loaded  bool
	lastErr string
}

// get returns the current text and, when the file changed or could not be
// read, what happened (for the log; never the text).
func (f *textFile) get(force bool) (text string, event string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.path == "" {
		return f.def, ""
	}
	fi, err := os.Stat(f.path)
	if err == nil && !force && f.loaded && fi.Size() == f.size && fi.ModTime().Equal(f.modTime) {
		return f.text, ""
	}
	if err == nil {
		var b []byte
		b, err = readBounded(f.path)
		if err == nil {
			changed := f.loaded && string(b) != f.text
			f.text, f.size, f.modTime, f.loaded, f.lastErr = string(b), fi.Size(), fi.ModTime(), true, ""
			if changed {
				return f.text, "reloaded"
			}
			return f.text, ""
		}
	}
	if msg := err.Error(); msg != f.lastErr {
		f.lastErr = msg
		event = "unreadable: " + msg
	}
	if !f.loaded {
		return f.def, event
	}
	return f.text, event
}

func readBounded(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxPromptFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxPromptFile {
		return nil, fmt.Errorf("larger than %d KiB", MaxPromptFile>>10)
	}
	return b, nil
}
