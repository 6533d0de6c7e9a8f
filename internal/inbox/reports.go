package inbox

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/reports"
)

// DefaultReportZone is the installation's time zone for reports when
// Service.ReportZone is not set.
const DefaultReportZone = "Europe/Berlin"

// ReportQuery is what a report request asks for: local dates From to To
// (both included, YYYY-MM-DD), the period width, the time zone (empty: the
// installation's) and optionally one channel.
type ReportQuery struct {
	From, To, Interval, TZ, Channel string
}

// reportScope checks q and the actor's right to the reports: it returns the
// range and the channels the actor may see (nil: all). A channel outside the
// role's channels is ENotFound, like a missing one.
func (s *Service) reportScope(a *switchboard.Actor, q ReportQuery) (reports.Range, []string, error) {
	zone := s.ReportZone
	if zone == nil {
		zone, _ = time.LoadLocation(DefaultReportZone)
	}
	r, err := reports.ParseRange(q.From, q.To, q.Interval, q.TZ, s.now(), zone)
	if err != nil {
		return r, nil, err
	}
	var channels []string
	if len(a.Role.ChannelIDs) > 0 {
		channels = slices.Clone(a.Role.ChannelIDs)
	}
	if q.Channel != "" {
		if !switchboard.ValidID(q.Channel) || !a.Role.AllowsChannel(q.Channel) {
			return r, nil, switchboard.NotFound("Channel")
		}
		channels = []string{q.Channel}
	}
	return r, channels, nil
}

// mayReadReports fails with EForbidden unless the actor has reports.read.
func (s *Service) mayReadReports(ctx context.Context, a *switchboard.Actor, report string) error {
	if a.Can(switchboard.PermReportsRead) {
		return nil
	}
	s.audit(ctx, a, "report.read", "report", report, switchboard.OutcomeDenied, nil)
	return forbidden()
}

// ConversationsReport counts conversations opened, resolved and reopened
// per period with first-response and resolution times; it needs
// reports.read and covers the role's channels.
func (s *Service) ConversationsReport(ctx context.Context, a *switchboard.Actor, q ReportQuery) (*reports.ConversationsReport, error) {
	return readReport(ctx, s, a, q, "conversations", func(ro *reports.Rollups, ctx context.Context, r reports.Range, channels []string) (*reports.ConversationsReport, error) {
		hours, err := s.businessHours(ctx)
		if err != nil {
			return nil, err
		}
		rep, err := ro.Conversations(ctx, r, channels, hours)
		if err != nil {
			return nil, err
		}
		if rep.Labels, err = s.Store.ReportLabels(ctx, r.Scope(channels)); err != nil {
			return nil, err
		}
		return rep, nil
	})
}

// businessHours returns the business clocks of the channels that have
// business hours, for the reports.
func (s *Service) businessHours(ctx context.Context) (reports.Hours, error) {
	all, _, err := s.cachedChannels(ctx, false)
	if err != nil {
		return nil, err
	}
	h := reports.Hours{}
	for _, ch := range all {
		if ch.BusinessHours == nil {
			continue
		}
		c, err := ch.BusinessHours.Clock()
		if err != nil { // stored hours were validated; a bad row is a bug worth seeing
			return nil, err
		}
		h[ch.ID] = c
	}
	return h, nil
}

// MessagesReport counts messages per period by direction and type and
// failures by WhatsApp error code; it needs reports.read.
func (s *Service) MessagesReport(ctx context.Context, a *switchboard.Actor, q ReportQuery) (*reports.MessagesReport, error) {
	return readReport(ctx, s, a, q, "messages", (*reports.Rollups).Messages)
}

// CostsReport counts the messages Meta reported pricing for, billable
// ones by pricing category and type; it needs reports.read.
func (s *Service) CostsReport(ctx context.Context, a *switchboard.Actor, q ReportQuery) (*reports.CostsReport, error) {
	return readReport(ctx, s, a, q, "costs", (*reports.Rollups).Costs)
}

// BotsReport counts the conversations handed to bots and the hand-offs to
// people by reason; it needs reports.read.
func (s *Service) BotsReport(ctx context.Context, a *switchboard.Actor, q ReportQuery) (*reports.BotsReport, error) {
	return readReport(ctx, s, a, q, "bots", (*reports.Rollups).Bots)
}

// readReport is what a report read from the rollups alone takes: the
// reports.read permission, the query's range within the role's channels
// and current rollups.
func readReport[R any](ctx context.Context, s *Service, a *switchboard.Actor, q ReportQuery, name string,
	read func(*reports.Rollups, context.Context, reports.Range, []string) (R, error)) (R, error) {
	var zero R
	if err := s.mayReadReports(ctx, a, name); err != nil {
		return zero, err
	}
	r, channels, err := s.reportScope(a, q)
	if err != nil {
		return zero, err
	}
	if err := s.RefreshReports(ctx); err != nil {
		return zero, err
	}
	return read(s.ReportRollups(), ctx, r, channels)
}

// AgentsReport returns per-employee statistics. With reports.read it lists
// every user whose role may work on one of the actor's channels (a
// deactivated user too); without it, only the actor's own row. The
// conversation figures are limited to the actor's channels either way.
func (s *Service) AgentsReport(ctx context.Context, a *switchboard.Actor, q ReportQuery) (*reports.AgentsReport, error) {
	r, channels, err := s.reportScope(a, q)
	if err != nil {
		return nil, err
	}
	users := []*switchboard.User{a.User}
	if a.Can(switchboard.PermReportsRead) {
		if users, err = s.reportUsers(ctx, a); err != nil {
			return nil, err
		}
	}
	if err := s.RefreshReports(ctx); err != nil {
		return nil, err
	}
	return s.ReportRollups().Agents(ctx, r, channels, users)
}

// reportUsers lists the users a channel-scoped actor's report covers: those
// whose role allows one of the actor's channels (every user when the
// actor's role has no channel limit).
func (s *Service) reportUsers(ctx context.Context, a *switchboard.Actor) ([]*switchboard.User, error) {
	roles, err := s.Store.Roles(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*switchboard.Role{}
	for _, r := range roles {
		byID[r.ID] = r
	}
	overlaps := func(r *switchboard.Role) bool {
		if len(a.Role.ChannelIDs) == 0 {
			return true
		}
		if r == nil {
			return false
		}
		if len(r.ChannelIDs) == 0 {
			return true
		}
		return slices.ContainsFunc(r.ChannelIDs, a.Role.AllowsChannel)
	}
	var out []*switchboard.User
	cursor := ""
	for {
		page, next, err := s.Store.Users(ctx, switchboard.UserFilter{Limit: 200, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, u := range page {
			if overlaps(byID[u.RoleID]) {
				out = append(out, u)
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// ReportExported records a report's CSV export in the audit log: which
// report, the range as computed (local dates and zone) and the channel asked
// for.
func (s *Service) ReportExported(ctx context.Context, a *switchboard.Actor, report, from, to, tz, channel string) {
	s.audit(ctx, a, "report.export", "report", report, switchboard.OutcomeSuccess, map[string]string{
		"from": from, "to": to, "tz": tz, "channel": channel,
	})
}

// reportRollups holds the Service's report rollups, made on first use.
type reportRollups struct {
	once sync.Once
	r    *reports.Rollups
}

// ReportRollups returns the rollups of the Service's store.
func (s *Service) ReportRollups() *reports.Rollups {
	s.rollups.once.Do(func() { s.rollups.r = &reports.Rollups{Store: s.Store, Hours: s.businessHours} })
	return s.rollups.r
}

// RefreshReports brings the report rollups up to the facts: every report
// reads them right after, so a report is as current as the facts. Only the
// slots whose facts changed since the last refresh are recomputed (see
// docs/reports.md, "Rollups"); the background job (cmd/switchboard) keeps
// that work small.
func (s *Service) RefreshReports(ctx context.Context) error {
	return s.ReportRollups().Refresh(ctx)
}

// reportCatchUpDays is how many days one step of CatchUpReports measures
// again: a report that comes meanwhile waits for at most one step.
const reportCatchUpDays = 7

// CatchUpReports measures again, a few days at a time, the rollups of
// days whose durations a channel's earlier business hours measured, until
// none is left (the background job calls it after each refresh). Reports
// are exact meanwhile, only slower.
func (s *Service) CatchUpReports(ctx context.Context) error {
	for {
		left, err := s.ReportRollups().CatchUp(ctx, reportCatchUpDays)
		if err != nil || left == 0 {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// RebuildReports recomputes every report rollup from the facts
// (`switchboard reports rebuild`).
func (s *Service) RebuildReports(ctx context.Context) error {
	return s.ReportRollups().Rebuild(ctx)
}
