package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/media"
)

// maxWebhookBytes bounds a webhook body: Meta sends up to about 3 MB.
const maxWebhookBytes = 4 << 20

// maxUploadBytes bounds an upload: WhatsApp's largest type (documents) is
// 100 MB, plus room for the multipart envelope.
const maxUploadBytes = 100<<20 + 1<<20

// webhook serves Meta's webhook endpoint: the GET handshake and signed POSTs,
// which are queued durably before the 200 goes back.
func (s *Server) webhook() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /webhooks/whatsapp", func(w http.ResponseWriter, r *http.Request) {
		challenge, ok := s.Service.System().VerifyWebhook(r.Context(), r.URL.Query())
		if !ok {
			http.Error(w, "verify token mismatch", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, challenge)
	})
	mux.HandleFunc("POST /webhooks/whatsapp", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.rejected.WithLabelValues("too_large").Inc()
				writeError(w, r, s.Logger, switchboard.Errorf(switchboard.ETooLarge, "Webhook body too large."))
				return
			}
			s.rejected.WithLabelValues("unreadable").Inc()
			writeError(w, r, s.Logger, switchboard.Errorf(switchboard.EInvalid, "Could not read the body."))
			return
		}
		if err := s.Service.System().AcceptWebhook(r.Context(), body, r.Header.Get("X-Hub-Signature-256")); err != nil {
			if errors.Is(err, inbox.ErrBadSignature) {
				s.rejected.WithLabelValues("signature").Inc()
			} else if errors.Is(err, inbox.ErrForeignChannel) {
				s.rejected.WithLabelValues("foreign_channel").Inc()
			} else {
				s.rejected.WithLabelValues("error").Inc()
			}
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	return mux
}

type channelRequest struct {
	Name               *string `json:"name"`
	PhoneNumberID      *string `json:"phone_number_id"`
	WABAID             *string `json:"waba_id"`
	DisplayPhoneNumber *string `json:"display_phone_number"`
	GraphURL           *string `json:"graph_url"`
	AccessToken        *string `json:"access_token"`
	AppSecret          *string `json:"app_secret"`
	VerifyToken        *string `json:"verify_token"`
	MarkRead           *bool   `json:"mark_read"`
	RetentionDays      *int    `json:"retention_days"`
	// BusinessHours is the hours object, or null to remove them.
	BusinessHours  switchboard.OptionalBusinessHours `json:"business_hours"`
	BotAgentID     *string                           `json:"bot_agent_id"`
	HandoffRules   *inbox.HandoffRulesInput          `json:"handoff_rules"`
	Coexistence    *bool                             `json:"coexistence"`
	WelcomeMessage *string                           `json:"welcome_message"`
	AwayMessage    *string                           `json:"away_message"`
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	chs, err := s.Service.Channels(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(chs, ""))
	return nil
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req channelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.Service.CreateChannel(r.Context(), a, inbox.ChannelInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.Channel(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateChannel(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req channelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.Service.UpdateChannel(r.Context(), a, r.PathValue("id"), inbox.ChannelInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) syncTemplates(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.SyncTemplates(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	ts, err := s.Service.ListTemplates(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ts, ""))
	return nil
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	ch := r.URL.Query().Get("channel")
	if ch == "" {
		return switchboard.Errorf(switchboard.EInvalid, "channel is required.")
	}
	ts, err := s.Service.ListTemplates(r.Context(), a, ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ts, ""))
	return nil
}

// executableTypes are MIME types a browser could run or render as a page:
// they are always downloaded, never shown inline.
var inlineTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/webp": true, "image/gif": true,
	"video/mp4": true, "video/3gpp": true,
	"audio/aac": true, "audio/mpeg": true, "audio/mp4": true, "audio/ogg": true, "audio/amr": true,
	"application/pdf": false, // PDF viewers run scripts: download
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	f, rc, err := s.Service.OpenMedia(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	ct := f.MIMEType
	if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	base, _, _ := strings.Cut(ct, ";")
	disposition := "attachment"
	if inlineTypes[strings.TrimSpace(base)] {
		disposition = "inline"
	}
	name := media.SafeFilename(f.Filename)
	if f.Filename == "" {
		name = "file"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		// Headers are gone; a corrupt or truncated file ends the response.
		s.Logger.Error("serve media", "media", f.ID, "err", err)
	}
	return nil
}

// uploadMedia stores a multipart upload ("file", and "type" naming the
// WhatsApp media kind) for a later send.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	f, _, err := s.receiveUpload(w, r, a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

// receiveUpload reads a multipart request part by part (no temp files, no
// buffering of the whole file) and stores the file encrypted. Text fields
// must come before the file. The form is read only once the service has
// checked that the actor may see the conversation (Service.UploadRequest).
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) (*switchboard.MediaFile, map[string]string, error) {
	fields := map[string]string{}
	f, err := s.Service.UploadRequest(r.Context(), a, r.PathValue("id"), func() (inbox.Upload, error) {
		return readUpload(w, r, fields)
	})
	if err != nil {
		return nil, nil, err
	}
	return f, fields, nil
}

// readUpload reads the form's text fields into fields and returns its file
// part.
func readUpload(w http.ResponseWriter, r *http.Request, fields map[string]string) (inbox.Upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return inbox.Upload{}, switchboard.Errorf(switchboard.EInvalid, "Send the file as multipart/form-data.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return inbox.Upload{}, switchboard.Errorf(switchboard.EInvalid, "The form has no file part.")
		}
		if err != nil {
			return inbox.Upload{}, uploadError(err)
		}
		name := p.FormName()
		if p.FileName() == "" {
			if len(fields) > 10 {
				return inbox.Upload{}, switchboard.Errorf(switchboard.EInvalid, "Too many form fields.")
			}
			v, err := io.ReadAll(io.LimitReader(p, 8<<10))
			if err != nil {
				return inbox.Upload{}, uploadError(err)
			}
			fields[name] = string(v)
			continue
		}
		if name != "file" {
			return inbox.Upload{}, switchboard.Errorf(switchboard.EInvalid, "The file part must be named \"file\".")
		}
		return filePart(p, fields)
	}
}

// filePart describes the file part p with the fields before it.
func filePart(p *multipart.Part, fields map[string]string) (inbox.Upload, error) {
	kind := fields["type"]
	if kind == "" {
		return inbox.Upload{}, switchboard.Errorf(switchboard.EInvalid, "Say which kind of file this is: type image, video, audio, document or sticker, before the file.")
	}
	mt := p.Header.Get("Content-Type")
	if parsed, _, err := mime.ParseMediaType(mt); err == nil {
		mt = parsed
	} else {
		return inbox.Upload{}, switchboard.Errorf(switchboard.EInvalid, "The file part needs a Content-Type.")
	}
	// A declared size lets an oversized file be refused before any byte of
	// it is read; without one the file is checked as it streams in.
	size := int64(-1)
	if v := fields["size"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return inbox.Upload{}, switchboard.Errorf(switchboard.EInvalid, "size must be the file's size in bytes.")
		}
		size = n
	}
	return inbox.Upload{Kind: kind, Filename: p.FileName(), MIMEType: mt, Size: size, Body: p}, nil
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return switchboard.Errorf(switchboard.ETooLarge, "The upload is larger than %d MB.", maxUploadBytes>>20)
	}
	return switchboard.Errorf(switchboard.EInvalid, "%s", fmt.Sprintf("Could not read the upload: %v.", err))
}

func (s *Server) listDeadLetters(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	ds, err := s.Service.DeadLetters(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ds, ""))
	return nil
}

func (s *Server) replayDeadLetter(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return switchboard.NotFound("Dead letter")
	}
	if err := s.Service.ReplayDeadLetter(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
