package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// worldOrder is the order of the starting worlds on the page; every file
// of worlds/ is in it.
var worldOrder = []string{
	"tiktok_story", "teen", "share_sheet",
	"preset_tiktok", "preset_instagram", "preset_messenger", "preset_x", "preset_bluesky", "preset_snapchat",
}

// startingWorld is one of the embedded worlds the page starts from.
type startingWorld struct {
	ID    string `json:"id"`
	Title string `json:"title"` // its first line, without the '#'
	Text  string `json:"text"`
}

func startingWorlds() ([]startingWorld, error) {
	var out []startingWorld
	for _, id := range worldOrder {
		b, err := fs.ReadFile(files, path.Join("worlds", id+".dm"))
		if err != nil {
			return nil, err
		}
		text := string(b)
		first, _, _ := strings.Cut(text, "\n")
		out = append(out, startingWorld{ID: id, Title: strings.TrimSpace(strings.TrimPrefix(first, "#")), Text: text})
	}
	return out, nil
}

func (s *server) worlds(context.Context, *http.Request) (any, error) {
	return startingWorlds()
}

type worldRequest struct {
	World string `json:"world"`
}

// worldResponse is a world's grid and what the page's forms need.
type worldResponse struct {
	Policy  string    `json:"policy"`
	Presets []string  `json:"presets"`
	Modes   []string  `json:"modes"` // the policy's modes, loosest first
	Now     time.Time `json:"now"`   // the world's clock at its end
	Users   []user    `json:"users"`
	Cells   [][]cell  `json:"cells"` // cells[s][r]: sender Users[s] to recipient Users[r]
	Checks  checks    `json:"checks"`
}

func (s *server) world(ctx context.Context, r *http.Request) (any, error) {
	var q worldRequest
	if err := decode(r, &q); err != nil {
		return nil, err
	}
	return s.work(ctx, func() (any, error) {
		w, err := load(ctx, q.World, nil)
		if err != nil {
			return nil, err
		}
		cells, err := w.grid(ctx)
		if err != nil {
			return nil, err
		}
		users, err := w.users(ctx)
		if err != nil {
			return nil, err
		}
		return &worldResponse{Policy: w.file.PolicyName, Presets: privacy.PresetNames(), Modes: modes(w.policy),
			Now: w.at, Users: users, Cells: cells, Checks: w.checks()}, nil
	})
}

type explainRequest struct {
	World     string `json:"world"`
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
}

func (s *server) explain(ctx context.Context, r *http.Request) (any, error) {
	var q explainRequest
	if err := decode(r, &q); err != nil {
		return nil, err
	}
	return s.work(ctx, func() (any, error) {
		w, err := load(ctx, q.World, nil)
		if err != nil {
			return nil, err
		}
		if !w.declared(q.Sender) || !w.declared(q.Recipient) {
			return nil, badRequest("sender %q and recipient %q must be users of the world", q.Sender, q.Recipient)
		}
		return w.explain(ctx, q.Sender, q.Recipient)
	})
}

// whatIfRequest asks what changes when one thing changes in the world:
//   - kind "mode": the recipient chooses Mode;
//   - kind "preset": the world runs under Preset, every user with its
//     defaults;
//   - kind "rollout": Mode opens to a cohort of Percent percent of users,
//     and everyone in it who may choose it does.
//
// The recipient's audience is previewed before and after.
type whatIfRequest struct {
	World     string  `json:"world"`
	Recipient string  `json:"recipient"`
	Kind      string  `json:"kind"`
	Mode      string  `json:"mode"`
	Preset    string  `json:"preset"`
	Percent   float64 `json:"percent"`
}

type whatIfResponse struct {
	Description string   `json:"description"`
	Switched    []string `json:"switched,omitempty"` // a rollout's users who switch
	Cells       [][]cell `json:"cells"`              // the grid after the change
	Changed     []change `json:"changed"`
	Impact      impact   `json:"impact"`
	Before      *preview `json:"before"` // the recipient's audience
	After       *preview `json:"after"`
}

// change is one cell the what-if changes.
type change struct {
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	Before    cell   `json:"before"`
	After     cell   `json:"after"`
}

// impact is privacy.Impact with its decisions as text.
type impact struct {
	Pairs   int         `json:"pairs"`
	Changed int         `json:"changed"`
	Gained  int         `json:"gained"`
	Lost    int         `json:"lost"`
	Rows    []impactRow `json:"rows"`
}

type impactRow struct {
	Before string `json:"before"`
	After  string `json:"after"`
	Count  int    `json:"count"`
}

func (s *server) whatIf(ctx context.Context, r *http.Request) (any, error) {
	var q whatIfRequest
	if err := decode(r, &q); err != nil {
		return nil, err
	}
	return s.work(ctx, func() (any, error) {
		before, err := load(ctx, q.World, nil)
		if err != nil {
			return nil, err
		}
		if !before.declared(q.Recipient) {
			return nil, badRequest("recipient %q is not a user of the world", q.Recipient)
		}
		res := &whatIfResponse{}
		var after *world
		switch q.Kind {
		case "mode":
			if _, err := before.policy.ParseMode(q.Mode); err != nil {
				return nil, badRequest("mode %q: %v", q.Mode, err)
			}
			res.Description = fmt.Sprintf("%s chooses %s", q.Recipient, q.Mode)
			after, err = load(ctx, appendLines(q.World, fmt.Sprintf("set %s mode=%s", q.Recipient, q.Mode)), nil)
		case "preset":
			p, perr := privacy.PolicyByName(q.Preset)
			if perr != nil {
				return nil, badRequest("preset %q: %v", q.Preset, perr)
			}
			res.Description = fmt.Sprintf("the world under %s's rules, every user with its defaults", q.Preset)
			after, err = load(ctx, q.World, p)
		case "rollout":
			m, merr := before.policy.ParseMode(q.Mode)
			if merr != nil || m == inbox.ModeDefault {
				return nil, badRequest("mode %q is not a mode of %s", q.Mode, before.file.PolicyName)
			}
			if !(q.Percent >= 0 && q.Percent <= 100) {
				return nil, badRequest("percent %v: want 0 to 100", q.Percent)
			}
			if res.Switched, err = rollout(ctx, q.World, before, m, q.Percent); err != nil {
				return nil, err
			}
			res.Description = fmt.Sprintf("%s rolls out to %v%% of users: %d of them may choose it and do", q.Mode, q.Percent, len(res.Switched))
			lines := make([]string, len(res.Switched))
			for i, u := range res.Switched {
				lines[i] = fmt.Sprintf("set %s mode=%s", u, q.Mode)
			}
			after, err = load(ctx, appendLines(q.World, lines...), nil)
		default:
			return nil, badRequest("kind %q: want mode, preset or rollout", q.Kind)
		}
		if err != nil {
			return nil, whatIfError(err)
		}
		return res, compare(ctx, before, after, q.Recipient, res)
	})
}

// whatIfError turns the error of the changed world into one about the
// change: the world itself loaded, so the lines the change added, or the
// limits they crossed, are at fault.
func whatIfError(err error) error {
	var se *scenario.Error
	if errors.As(err, &se) {
		return &httpError{http.StatusUnprocessableEntity, "whatif", "the change cannot be made: " + se.Msg}
	}
	return err
}

// compare fills res with what changes from before to after.
func compare(ctx context.Context, before, after *world, recipient string, res *whatIfResponse) error {
	was, err := before.grid(ctx)
	if err != nil {
		return err
	}
	if res.Cells, err = after.grid(ctx); err != nil {
		return err
	}
	res.Changed = []change{}
	users := before.file.Users
	for i := range was {
		for j := range was[i] {
			if was[i][j] != res.Cells[i][j] {
				res.Changed = append(res.Changed, change{Sender: users[i], Recipient: users[j], Before: was[i][j], After: res.Cells[i][j]})
			}
		}
	}
	im, err := privacy.CompareEngines(ctx, before.engine, after.engine, before.pairs, before.at)
	if err != nil {
		return err
	}
	res.Impact = impact{Pairs: im.Pairs, Changed: im.Changed, Gained: im.Gained, Lost: im.Lost, Rows: []impactRow{}}
	for _, row := range im.Rows {
		res.Impact.Rows = append(res.Impact.Rows, impactRow{Before: row.Before.String(), After: row.After.String(), Count: row.Count})
	}
	if res.Before, err = before.preview(ctx, recipient); err != nil {
		return err
	}
	res.After, err = after.preview(ctx, recipient)
	return err
}
