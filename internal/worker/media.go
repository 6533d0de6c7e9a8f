package worker

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// MaxMediaBytes bounds an inbound download: WhatsApp's largest type
// (documents) is 100 MB.
const MaxMediaBytes = 100 << 20

// MediaWriter stores a downloaded file encrypted under the contact's key.
type MediaWriter interface {
	WriteMedia(ctx context.Context, f *switchboard.MediaFile, r io.Reader) error
}

// MediaFetchStore is what the media fetcher needs from storage.
type MediaFetchStore interface {
	switchboard.MediaStore
	Channel(ctx context.Context, id string) (*switchboard.Channel, error)
}

// MediaFetcher downloads inbound media promptly (Meta keeps inbound media
// for 7 days and its download URLs for 5 minutes), checks the sha256, and
// stores the file encrypted. Failed downloads are retried with backoff; an
// id Meta no longer knows is marked expired.
type MediaFetcher struct {
	Store   MediaFetchStore
	Writer  MediaWriter
	Results ResultPublisher
	Client  func(ch *switchboard.Channel) *whatsapp.Client
	Logger  *slog.Logger
	Now     func() time.Time

	MaxAttempts int           // default 8
	Workers     int           // default 4
	Poll        time.Duration // default 1 s
	Backoff     whatsapp.Backoff

	once sync.Once
	wake chan struct{}
}

func (f *MediaFetcher) init() {
	f.once.Do(func() {
		f.wake = make(chan struct{}, 1)
		if f.Logger == nil {
			f.Logger = slog.New(slog.DiscardHandler)
		}
		if f.Now == nil {
			f.Now = func() time.Time { return time.Now().UTC() }
		}
		if f.MaxAttempts <= 0 {
			f.MaxAttempts = 8
		}
		if f.Workers <= 0 {
			f.Workers = 4
		}
		if f.Poll <= 0 {
			f.Poll = time.Second
		}
	})
}

// Notify wakes the fetcher. It never blocks.
func (f *MediaFetcher) Notify() {
	f.init()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run downloads until ctx ends.
func (f *MediaFetcher) Run(ctx context.Context) error {
	f.init()
	t := time.NewTicker(f.Poll)
	defer t.Stop()
	for {
		jobs, err := f.Store.ClaimMediaDownloads(ctx, f.Workers, 0, 10*time.Minute, f.Now())
		if err != nil && ctx.Err() == nil {
			f.Logger.Error("claim media downloads", "err", err)
		}
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.fetch(context.WithoutCancel(ctx), j)
			}()
		}
		wg.Wait()
		if len(jobs) == f.Workers {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-t.C:
		}
	}
}

func (f *MediaFetcher) fetch(ctx context.Context, j *switchboard.MediaDownload) {
	log := f.Logger.With("message", j.MessageID, "attempt", j.Attempts)
	err := f.download(ctx, j)
	if err == nil {
		return
	}
	var apiErr *whatsapp.APIError
	expired := errors.As(err, &apiErr) && (apiErr.Code == 100 || apiErr.HTTPStatus == 404)
	final := expired || j.Attempts >= f.MaxAttempts || errors.Is(err, errChecksum) || errors.Is(err, whatsapp.ErrMediaTooLarge)
	state := switchboard.MediaFailed
	if expired {
		state = switchboard.MediaExpired
	}
	log.Warn("media download failed", "final", final, "err", err)
	r, ferr := f.Store.FailMediaDownload(ctx, j.MessageID, j.Attempts, f.Now().Add(f.Backoff.For(0, j.Attempts)), final, state)
	if ferr != nil {
		log.Error("record media failure", "err", ferr)
		return
	}
	if f.Results != nil {
		f.Results.Published(ctx, r)
	}
}

var errChecksum = errors.New("media checksum mismatch")

func (f *MediaFetcher) download(ctx context.Context, j *switchboard.MediaDownload) error {
	ch, err := f.Store.Channel(ctx, j.ChannelID)
	if err != nil {
		return err
	}
	client := f.Client(ch)
	info, err := client.GetMedia(ctx, ch.AccessToken, j.WAMediaID)
	if err != nil {
		return err
	}
	mt := j.MIMEType
	if mt == "" {
		mt = info.MimeType
	}
	if parsed, _, err := mime.ParseMediaType(mt); err == nil {
		mt = parsed
	}
	file := &switchboard.MediaFile{
		ID: switchboard.NewID(), ConversationID: j.ConversationID, MessageID: j.MessageID, KeyID: j.KeyID,
		MIMEType: mt, Filename: j.Filename, CreatedAt: f.Now(),
	}
	h := sha256.New()
	pr, pw := io.Pipe()
	var n int64
	go func() {
		var err error
		n, err = client.DownloadMedia(ctx, ch.AccessToken, info.URL, MaxMediaBytes, io.MultiWriter(pw, h))
		pw.CloseWithError(err)
	}()
	if err := f.Writer.WriteMedia(ctx, file, pr); err != nil {
		pr.CloseWithError(err)
		return err
	}
	sum := h.Sum(nil)
	if want := firstNonEmpty(j.SHA256, info.SHA256); want != "" && !checksumMatches(want, sum) {
		return fmt.Errorf("%w for media of message %s", errChecksum, j.MessageID)
	}
	file.Size, file.SHA256 = n, hex.EncodeToString(sum)
	r, err := f.Store.CompleteMediaDownload(ctx, file)
	if err != nil {
		return err
	}
	if f.Results != nil {
		f.Results.Published(ctx, r)
	}
	return nil
}

// checksumMatches accepts Meta's sha256 as hex (media API) or base64
// (webhooks): both encodings occur.
func checksumMatches(want string, sum []byte) bool {
	if want == hex.EncodeToString(sum) {
		return true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding} {
		if b, err := enc.DecodeString(want); err == nil && string(b) == string(sum) {
			return true
		}
	}
	return false
}
