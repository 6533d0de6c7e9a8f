package emulator

import (
	"bytes"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// TestDemoPhotos: the pictures virtual customers send are real photos in
// size (not the 16×16 placeholder) and each has a caption.
func TestDemoPhotos(t *testing.T) {
	for _, p := range demoPhotos() {
		b, err := photoFiles.ReadFile("photos/" + p.file)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", p.file, err)
		}
		if cfg.Width < 320 || cfg.Height < 200 || len(b) > 64<<10 {
			t.Errorf("%s: %d×%d, %d bytes; want at least 320×200 and at most 64 KB", p.file, cfg.Width, cfg.Height, len(b))
		}
		if p.caption == "" {
			t.Errorf("%s has no caption", p.file)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for range 50 {
		_, caption := pickPhoto(r)
		seen[caption] = true
	}
	if len(seen) != len(demoPhotos()) {
		t.Errorf("50 picks gave %d of %d photos", len(seen), len(demoPhotos()))
	}
}
