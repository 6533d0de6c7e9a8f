package whatsapp

import (
	"errors"
	"testing"
)

func TestCheckOutboundMedia(t *testing.T) {
	tests := []struct {
		kind, mime string
		size       int64
		wantErr    string
	}{
		{KindImage, "image/jpeg", 1 << 20, ""},
		{KindImage, "image/PNG", MaxImageSize, ""},
		{KindImage, "image/png", MaxImageSize + 1, "Images must be JPEG or PNG up to 5 MB."},
		{KindImage, "image/gif", 10, "Images must be JPEG or PNG up to 5 MB."},
		{KindImage, "image/webp", 10, "Images must be JPEG or PNG up to 5 MB."},
		{KindImage, "image/jpeg", 0, "Images must be JPEG or PNG up to 5 MB."},
		{KindAudio, "audio/ogg; codecs=opus", 1 << 20, ""},
		{KindAudio, "audio/ogg", 1 << 20, ""},
		{KindAudio, "audio/ogg; codecs=vorbis", 1 << 20, "Audio must be AAC, AMR, MP3, M4A or OGG (Opus) up to 16 MB."},
		{KindAudio, "audio/mpeg", MaxAudioSize + 1, "Audio must be AAC, AMR, MP3, M4A or OGG (Opus) up to 16 MB."},
		{KindAudio, "audio/wav", 10, "Audio must be AAC, AMR, MP3, M4A or OGG (Opus) up to 16 MB."},
		{KindVideo, "video/mp4", MaxVideoSize, ""},
		{KindVideo, "video/3gpp", 10, ""},
		{KindVideo, "video/quicktime", 10, "Videos must be MP4 or 3GP (H.264 video, AAC audio) up to 16 MB."},
		{KindDocument, "application/pdf", MaxDocumentSize, ""},
		{KindDocument, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 10, ""},
		{KindDocument, "application/zip", 10, "Documents must be PDF, TXT, Word, Excel or PowerPoint files up to 100 MB."},
		{KindDocument, "text/plain; charset=utf-8", 10, ""},
		{KindSticker, "image/webp", MaxStaticStickerSize, ""},
		{KindSticker, "image/webp", MaxAnimatedStickerSize + 1, "Stickers must be WebP images up to 100 KB (static) or 500 KB (animated)."},
		{KindSticker, "image/png", 10, "Stickers must be WebP images up to 100 KB (static) or 500 KB (animated)."},
		{"gif", "image/gif", 10, `"gif" is not a media type WhatsApp can send.`},
		{KindImage, "not a mime;;", 10, "Images must be JPEG or PNG up to 5 MB."},
	}
	for _, tt := range tests {
		err := CheckOutboundMedia(tt.kind, tt.mime, tt.size)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s %s %d: %v", tt.kind, tt.mime, tt.size, err)
			}
			continue
		}
		var mre *MediaRuleError
		if !errors.As(err, &mre) || err.Error() != tt.wantErr || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %s %d: err = %v, want %q", tt.kind, tt.mime, tt.size, err, tt.wantErr)
		}
	}
}

func TestMediaKindForMIME(t *testing.T) {
	tests := map[string]string{
		"image/jpeg":               KindImage,
		"image/png":                KindImage,
		"image/webp":               KindSticker,
		"audio/ogg; codecs=opus":   KindAudio,
		"audio/aac":                KindAudio,
		"video/mp4":                KindVideo,
		"video/3gp":                KindVideo,
		"application/pdf":          KindDocument,
		"application/msword":       KindDocument,
		"text/plain":               KindDocument,
		"image/gif":                "",
		"application/octet-stream": "",
		"":                         "",
		"garbage;;":                "",
	}
	for in, want := range tests {
		if got := MediaKindForMIME(in); got != want {
			t.Errorf("MediaKindForMIME(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMediaLimitsAreWhatCheckOutboundMediaEnforces: the table served to
// clients is the rule itself: each listed type passes at its limit and
// fails one byte over, and a type no kind lists fails as every kind.
func TestMediaLimitsAreWhatCheckOutboundMediaEnforces(t *testing.T) {
	limits := MediaLimits()
	if len(limits) != 5 {
		t.Fatalf("%d kinds, want 5", len(limits))
	}
	for _, l := range limits {
		for _, mt := range l.MIMETypes {
			if err := CheckOutboundMedia(l.Kind, mt, l.MaxBytes); err != nil {
				t.Errorf("%s %s at its limit: %v", l.Kind, mt, err)
			}
			if err := CheckOutboundMedia(l.Kind, mt, l.MaxBytes+1); err == nil {
				t.Errorf("%s %s one byte over: accepted", l.Kind, mt)
			}
			if got := MediaKindForMIME(mt); got != l.Kind {
				t.Errorf("MediaKindForMIME(%s) = %q, want %q", mt, got, l.Kind)
			}
		}
		if err := CheckOutboundMedia(l.Kind, "application/x-msdownload", 10); err == nil {
			t.Errorf("%s accepts an .exe", l.Kind)
		}
	}
	// A copy: changing it changes nothing.
	limits[0].MIMETypes[0] = "text/html"
	if MediaLimits()[0].MIMETypes[0] == "text/html" {
		t.Error("MediaLimits returns the table itself")
	}
}
