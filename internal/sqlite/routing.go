package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fold"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// CreateTeam stores a new team with its members.
func (db *DB) CreateTeam(ctx context.Context, t *switchboard.Team) error {
	n := *t
	if err := n.Validate(); err != nil {
		return err
	}
	n.ID = switchboard.NewID()
	n.CreatedAt = db.now()
	n.UpdatedAt = n.CreatedAt
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			n.ID, n.Name, fold.String(n.Name), micros(n.CreatedAt), micros(n.UpdatedAt)); err != nil {
			if isUnique(err) {
				return switchboard.ErrTeamExists
			}
			return fmt.Errorf("create team: %w", err)
		}
		return setTeamMembers(ctx, tx, n.ID, n.MemberIDs)
	})
	if err != nil {
		return err
	}
	*t = n
	return nil
}

// setTeamMembers replaces the members of a team; an unknown user is
// EInvalid.
func setTeamMembers(ctx context.Context, tx *writeTx, teamID string, members []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, teamID); err != nil {
		return fmt.Errorf("set team members: %w", err)
	}
	for _, id := range members {
		res, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id) SELECT ?, id FROM users WHERE id = ?`, teamID, id)
		if err != nil {
			return fmt.Errorf("set team members: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.ErrTeamMembers
		}
	}
	return nil
}

// UpdateTeam replaces a team's name and members.
func (db *DB) UpdateTeam(ctx context.Context, t *switchboard.Team) error {
	n := *t
	if err := n.Validate(); err != nil {
		return err
	}
	n.UpdatedAt = db.now()
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var created sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM teams WHERE id = ?`, n.ID).Scan(&created); errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Team")
		} else if err != nil {
			return fmt.Errorf("update team: %w", err)
		}
		n.CreatedAt = fromMicros(created)
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET name = ?, name_key = ?, updated_at = ? WHERE id = ?`,
			n.Name, fold.String(n.Name), micros(n.UpdatedAt), n.ID); err != nil {
			if isUnique(err) {
				return switchboard.ErrTeamExists
			}
			return fmt.Errorf("update team: %w", err)
		}
		return setTeamMembers(ctx, tx, n.ID, n.MemberIDs)
	})
	if err != nil {
		return err
	}
	*t = n
	return nil
}

// DeleteTeam deletes a team, its memberships and its conversations' team.
func (db *DB) DeleteTeam(ctx context.Context, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM teams WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete team: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Team")
		}
		return nil
	})
}

// Team returns one team with its members.
func (db *DB) Team(ctx context.Context, id string) (*switchboard.Team, error) {
	teams, err := db.teams(ctx, `WHERE t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(teams) == 0 {
		return nil, switchboard.NotFound("Team")
	}
	return teams[0], nil
}

// Teams lists the teams by folded name.
func (db *DB) Teams(ctx context.Context) ([]*switchboard.Team, error) {
	return db.teams(ctx, ``)
}

func (db *DB) teams(ctx context.Context, where string, args ...any) ([]*switchboard.Team, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, t.updated_at,
		(SELECT json_group_array(user_id) FROM (SELECT m.user_id FROM team_members m WHERE m.team_id = t.id ORDER BY m.user_id))
		FROM teams t `+where+` ORDER BY t.name_key, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.Team{}
	for rows.Next() {
		var t switchboard.Team
		var created, updated sql.NullInt64
		var members string
		if err := rows.Scan(&t.ID, &t.Name, &created, &updated, &members); err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
		if err := json.Unmarshal([]byte(members), &t.MemberIDs); err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		out = append(out, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return out, nil
}

// UserTeamIDs returns the teams a user belongs to.
func (db *DB) UserTeamIDs(ctx context.Context, userID string) ([]string, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("user teams: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("user teams: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetAvailability stores a user's availability.
func (db *DB) SetAvailability(ctx context.Context, userID string, v switchboard.Availability, at time.Time) error {
	if !v.Valid() {
		return switchboard.ErrAvailability
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO user_availability (user_id, availability, updated_at) SELECT id, ?, ? FROM users WHERE id = ?
			ON CONFLICT (user_id) DO UPDATE SET availability = excluded.availability, updated_at = excluded.updated_at`, v, micros(at), userID)
		if err != nil {
			return fmt.Errorf("set availability: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("User")
		}
		return nil
	})
}

// Availabilities returns every stored availability.
func (db *DB) Availabilities(ctx context.Context) (map[string]switchboard.Availability, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT user_id, availability FROM user_availability`)
	if err != nil {
		return nil, fmt.Errorf("availabilities: %w", err)
	}
	defer rows.Close()
	out := map[string]switchboard.Availability{}
	for rows.Next() {
		var id string
		var v switchboard.Availability
		if err := rows.Scan(&id, &v); err != nil {
			return nil, fmt.Errorf("availabilities: %w", err)
		}
		out[id] = v
	}
	return out, rows.Err()
}

// SetConversationTeam assigns a conversation to a team or to none.
func (db *DB) SetConversationTeam(ctx context.Context, conversationID, teamID string) (*switchboard.Conversation, error) {
	var out *switchboard.Conversation
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if teamID == "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_teams WHERE conversation_id = ?`, conversationID); err != nil {
				return fmt.Errorf("set conversation team: %w", err)
			}
		} else {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = ?`, teamID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return switchboard.NotFound("Team")
			} else if err != nil {
				return fmt.Errorf("set conversation team: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO conversation_teams (conversation_id, team_id) SELECT id, ? FROM conversations WHERE id = ?
				ON CONFLICT (conversation_id) DO UPDATE SET team_id = excluded.team_id`, teamID, conversationID); err != nil {
				return fmt.Errorf("set conversation team: %w", err)
			}
		}
		c, err := db.conversation(ctx, tx, conversationID, "")
		out = c
		return err
	})
	return out, err
}

// eachTeamOf fills the team of each of convs.
func eachTeamOf(ctx context.Context, q querier, ids []string, byID map[string]*switchboard.Conversation) error {
	if len(ids) == 0 {
		return nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT conversation_id, team_id FROM conversation_teams
		WHERE conversation_id IN (SELECT value FROM json_each(?))`, string(arg))
	if err != nil {
		return fmt.Errorf("conversation teams: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var convID, teamID string
		if err := rows.Scan(&convID, &teamID); err != nil {
			return fmt.Errorf("conversation teams: %w", err)
		}
		byID[convID].TeamID = teamID
	}
	return rows.Err()
}

// RoutingSettings returns a channel's automatic assignment.
func (db *DB) RoutingSettings(ctx context.Context, channelID string) (*switchboard.RoutingSettings, error) {
	r := &switchboard.RoutingSettings{ChannelID: channelID}
	var teams, roles string
	var secs int64
	var updated sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT mode, team_ids, role_ids, capacity, reoffer_seconds, last_assigned_id, updated_at
		FROM channel_routing WHERE channel_id = ?`, channelID).Scan(&r.Mode, &teams, &roles, &r.Capacity, &secs, &r.LastAssignedID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, r.Validate()
	} else if err != nil {
		return nil, fmt.Errorf("routing settings: %w", err)
	}
	r.ReofferAfter, r.UpdatedAt = time.Duration(secs)*time.Second, fromMicros(updated)
	if err := storekit.RoutingLists(r, teams, roles); err != nil {
		return nil, fmt.Errorf("routing settings: %w", err)
	}
	return r, nil
}

// SetRoutingSettings stores a channel's automatic assignment.
func (db *DB) SetRoutingSettings(ctx context.Context, r *switchboard.RoutingSettings) error {
	n := *r
	if err := n.Validate(); err != nil {
		return err
	}
	teams, roles := storekit.RoutingListColumns(&n)
	n.UpdatedAt = db.now()
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO channel_routing (channel_id, mode, team_ids, role_ids, capacity, reoffer_seconds, updated_at)
			SELECT id, ?, ?, ?, ?, ?, ? FROM channels WHERE id = ?
			ON CONFLICT (channel_id) DO UPDATE SET mode = excluded.mode, team_ids = excluded.team_ids, role_ids = excluded.role_ids,
				capacity = excluded.capacity, reoffer_seconds = excluded.reoffer_seconds, updated_at = excluded.updated_at`,
			n.Mode, teams, roles, n.Capacity, int64(n.ReofferAfter/time.Second), micros(n.UpdatedAt), n.ChannelID)
		if err != nil {
			return fmt.Errorf("set routing settings: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return switchboard.NotFound("Channel")
		}
		return nil
	})
	if err != nil {
		return err
	}
	*r = n
	return nil
}

// SetLastAssigned records a channel's round-robin position.
func (db *DB) SetLastAssigned(ctx context.Context, channelID, userID string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE channel_routing SET last_assigned_id = ? WHERE channel_id = ?`, userID, channelID); err != nil {
			return fmt.Errorf("set last assigned: %w", err)
		}
		return nil
	})
}

// OpenAssignedCounts counts each user's open assigned conversations, from
// the assignments' copy of their conversation's status (migration 0024).
func (db *DB) OpenAssignedCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT user_id, count(*) FROM conversation_assignees WHERE status = 'open' GROUP BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("open assigned counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("open assigned counts: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// WaitingUnassigned lists the open unassigned conversations of a channel
// with no activity since before, oldest first.
func (db *DB) WaitingUnassigned(ctx context.Context, channelID string, before time.Time, limit int) ([]string, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT id FROM conversations
		WHERE channel_id = ? AND status = 'open' AND NOT assigned AND updated_at <= ?
		ORDER BY updated_at, id LIMIT ?`, channelID, micros(before), storekit.ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("waiting unassigned: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("waiting unassigned: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
