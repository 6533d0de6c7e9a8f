package emulator

import (
	"embed"
	"math/rand/v2"
)

// photoFiles are the pictures virtual customers send: small JPEGs (640×420,
// 12–50 KB) drawn with ImageMagick by scripts/emulator-photos, so that a
// demo shows photos rather than coloured dots.
//
//go:embed photos/*.jpg
var photoFiles embed.FS

// demoPhoto is one picture with the caption a customer sends it with.
type demoPhoto struct {
	file, caption string
}

func demoPhotos() []demoPhoto {
	return []demoPhoto{
		{"parcel.jpg", "So kam das Paket an"},
		{"receipt.jpg", "Hier die Rechnung dazu"},
		{"landscape.jpg", "Foto dazu"},
	}
}

// pickPhoto returns a random demo photo's bytes and caption.
func pickPhoto(r *rand.Rand) (data []byte, caption string) {
	ps := demoPhotos()
	p := ps[r.IntN(len(ps))]
	data, err := photoFiles.ReadFile("photos/" + p.file)
	if err != nil {
		panic("emulator: embedded photo missing: " + err.Error()) // a build without the files
	}
	return data, p.caption
}
