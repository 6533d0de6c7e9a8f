package whatsapp

import (
	"fmt"
	"mime"
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
	for _, kind := range []string{KindImage, KindVideo, KindAudio, KindDocument, KindSticker} {
		if mimeAllowed(kind, base, params) {
			return kind
		}
	}
	return ""
}

// mimeAllowed reports whether the lowercased base type (with its
// parameters) is on kind's allow-list.
func mimeAllowed(kind, base string, params map[string]string) bool {
	base = strings.ToLower(base)
	switch kind {
	case KindAudio:
		switch base {
		case "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4":
			return true
		case "audio/ogg":
			// Meta accepts only the Opus codec in OGG. Without a codecs
			// parameter we cannot tell and let Meta decide.
			c, ok := params["codecs"]
			return !ok || strings.EqualFold(c, "opus")
		}
	case KindDocument:
		switch base {
		case "text/plain", "application/pdf",
			"application/msword",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"application/vnd.ms-excel",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"application/vnd.ms-powerpoint",
			"application/vnd.openxmlformats-officedocument.presentationml.presentation":
			return true
		}
	case KindImage:
		return base == "image/jpeg" || base == "image/png"
	case KindVideo:
		// Meta's table has said both video/3gp and video/3gpp.
		return base == "video/mp4" || base == "video/3gpp" || base == "video/3gp"
	case KindSticker:
		return base == "image/webp"
	}
	return false
}

func maxMediaSize(kind string) int64 {
	switch kind {
	case KindAudio:
		return MaxAudioSize
	case KindDocument:
		return MaxDocumentSize
	case KindImage:
		return MaxImageSize
	case KindVideo:
		return MaxVideoSize
	case KindSticker:
		return MaxAnimatedStickerSize
	}
	return 0
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
