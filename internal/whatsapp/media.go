package whatsapp

import (
	"fmt"
	"mime"
	"slices"
	"strings"
)

// Media kinds, named like the message types that carry them.
const (
	KindAudio    = "audio"
	KindDocument = "document"
	KindImage    = "image"
	KindVideo    = "video"
	KindSticker  = "sticker"
)

// Size limits of Meta's "Supported media types" table. Meta writes "MB" and
// "KB"; binary units are used here.
const (
	MaxAudioSize           = 16 << 20
	MaxDocumentSize        = 100 << 20
	MaxImageSize           = 5 << 20
	MaxVideoSize           = 16 << 20
	MaxStaticStickerSize   = 100 << 10
	MaxAnimatedStickerSize = 500 << 10
)

// MediaRuleError explains why a file cannot be sent as a kind of media.
// Its message is written for the person who picked the file.
type MediaRuleError struct {
	Kind     string
	MIMEType string
	Size     int64
	// Rule is the user-facing sentence, e.g. "Images must be JPEG or PNG
	// up to 5 MB."
	Rule string
}

// Error returns the user-facing rule.
func (e *MediaRuleError) Error() string { return e.Rule }

// Is makes a MediaRuleError match [ErrInvalid], so that [Classify] calls it
// permanent.
func (e *MediaRuleError) Is(target error) bool { return target == ErrInvalid }

// CheckOutboundMedia checks a file against Meta's per-kind MIME allow-list
// and size limit before it is uploaded. mimeType may carry parameters
// ("audio/ogg; codecs=opus"). Stickers are checked against the animated
// limit (500 KB) since the MIME type cannot tell static (100 KB) from
// animated WebP; the error text names both.
func CheckOutboundMedia(kind, mimeType string, size int64) error {
	rule := mediaRule(kind)
	if rule == "" {
		return &MediaRuleError{Kind: kind, MIMEType: mimeType, Size: size,
			Rule: fmt.Sprintf("%q is not a media type WhatsApp can send.", kind)}
	}
	fail := &MediaRuleError{Kind: kind, MIMEType: mimeType, Size: size, Rule: rule}
	base, params, err := mime.ParseMediaType(mimeType)
	if err != nil || size <= 0 {
		return fail
	}
	if !mimeAllowed(kind, base, params) || size > maxMediaSize(kind) {
		return fail
	}
	return nil
}

// MediaKindForMIME returns the media kind a MIME type can be sent as
// (image, video, audio, document or sticker), or "" if WhatsApp accepts it
// as none. image/webp maps to sticker, the only kind that takes WebP.
func MediaKindForMIME(mimeType string) string {
	base, params, err := mime.ParseMediaType(mimeType)
	if err != nil {
		return ""
	}
	for _, l := range mediaLimits {
		if mimeAllowed(l.Kind, base, params) {
			return l.Kind
		}
	}
	return ""
}

// MediaLimit is one row of Meta's "Supported media types" table: the MIME
// types a kind of media may have and its size limit. It is the one table
// both [CheckOutboundMedia] and the web app's file picker (through the API)
// check against.
type MediaLimit struct {
	Kind      string
	MIMETypes []string
	MaxBytes  int64
}

// mediaLimits is the table, in the order [MediaKindForMIME] tries kinds.
var mediaLimits = [...]MediaLimit{
	{Kind: KindImage, MIMETypes: []string{"image/jpeg", "image/png"}, MaxBytes: MaxImageSize},
	// Meta's table has said both video/3gp and video/3gpp.
	{Kind: KindVideo, MIMETypes: []string{"video/mp4", "video/3gpp", "video/3gp"}, MaxBytes: MaxVideoSize},
	{Kind: KindAudio, MIMETypes: []string{"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}, MaxBytes: MaxAudioSize},
	{Kind: KindDocument, MIMETypes: []string{
		"text/plain", "application/pdf",
		"application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	}, MaxBytes: MaxDocumentSize},
	// The MIME type cannot tell static (100 KB) from animated (500 KB) WebP.
	{Kind: KindSticker, MIMETypes: []string{"image/webp"}, MaxBytes: MaxAnimatedStickerSize},
}

// MediaLimits returns a copy of the table of media kinds, their MIME types
// and size limits.
func MediaLimits() []MediaLimit {
	out := make([]MediaLimit, len(mediaLimits))
	for i, l := range mediaLimits {
		l.MIMETypes = append([]string(nil), l.MIMETypes...)
		out[i] = l
	}
	return out
}

func mediaLimit(kind string) (MediaLimit, bool) {
	for _, l := range mediaLimits {
		if l.Kind == kind {
			return l, true
		}
	}
	return MediaLimit{}, false
}

// mimeAllowed reports whether the lowercased base type (with its
// parameters) is on kind's allow-list.
func mimeAllowed(kind, base string, params map[string]string) bool {
	base = strings.ToLower(base)
	l, ok := mediaLimit(kind)
	if !ok || !slices.Contains(l.MIMETypes, base) {
		return false
	}
	if base == "audio/ogg" {
		// Meta accepts only the Opus codec in OGG. Without a codecs
		// parameter we cannot tell and let Meta decide.
		c, ok := params["codecs"]
		return !ok || strings.EqualFold(c, "opus")
	}
	return true
}

func maxMediaSize(kind string) int64 {
	l, _ := mediaLimit(kind)
	return l.MaxBytes
}

func mediaRule(kind string) string {
	switch kind {
	case KindAudio:
		return "Audio must be AAC, AMR, MP3, M4A or OGG (Opus) up to 16 MB."
	case KindDocument:
		return "Documents must be PDF, TXT, Word, Excel or PowerPoint files up to 100 MB."
	case KindImage:
		return "Images must be JPEG or PNG up to 5 MB."
	case KindVideo:
		return "Videos must be MP4 or 3GP (H.264 video, AAC audio) up to 16 MB."
	case KindSticker:
		return "Stickers must be WebP images up to 100 KB (static) or 500 KB (animated)."
	}
	return ""
}
