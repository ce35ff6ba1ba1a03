package replica

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// table is a replicated table.
type table uint8

const (
	tUnknown table = iota // a table the replica does not read
	tUsers
	tFollows
	tBlocks
	tRestricts
	tFacebook
	tContacts
	tSettings
	tConversations
)

var tableByName = map[string]table{
	"users": tUsers, "follows": tFollows, "blocks": tBlocks, "restricts": tRestricts,
	"facebook_links": tFacebook, "synced_contacts": tContacts, "inbox_settings": tSettings, "conversations": tConversations,
}

// columns are the columns the replica reads of each table, in the order
// of a decoded row's values.
var columns = [...][]string{
	tUsers:         {"id", "status", "birth", "band", "band_as_of", "verified", "hide_from_contacts", "hide_from_facebook", "contact_key"},
	tFollows:       {"follower", "followee"},
	tBlocks:        {"blocker", "blocked"},
	tRestricts:     {"restrictor", "restricted"},
	tFacebook:      {"user_lo", "user_hi"},
	tContacts:      {"owner", "key"},
	tSettings:      {"user_id", "mode", "routes", "groups"},
	tConversations: {"user_lo", "user_hi", "starter", "state", "started"},
}

var edgeOf = [...]graph.Edge{tFollows: graph.Follow, tBlocks: graph.Block, tRestricts: graph.Restrict, tFacebook: graph.Facebook}

// relation is what the stream said of a table: which replicated table it
// is and where each of its columns is in a tuple.
type relation struct {
	t    table
	name string
	pos  []int    // by columns[t]: the column's index in the tuple
	oids []uint32 // by columns[t]: the column's type
}

// op is one row change, decoded, waiting for its transaction's commit.
type op struct {
	t           table
	del         bool
	a, b, c     int64 // users.id; an edge's two users; a contact's owner; a settings' user; a thread's lo, hi, starter
	key         string
	keySet      bool // users: the contact key is in the row (unchanged TOASTed values are not)
	user        graph.User
	settings    inbox.Settings
	state       inbox.State
	started     time.Time
	unsupported string // why the store cannot apply it: the replica reloads instead
}

// frame is a message from the server, or the error that ended the stream.
type frame struct {
	data []byte
	err  error
}

// pluginArgs are pgoutput's options: protocol 1 (whole transactions, at
// commit), the replica's publication, values in binary (no dependence on
// the server's DateStyle or TimeZone).
func (r *Replica) pluginArgs() []string {
	return []string{"proto_version '1'", "publication_names '" + r.cfg.Publication + "'", "binary 'true'"}
}

// stream starts replication on conn from the replica's position and
// applies it until ctx ends or the stream fails. It calls started once
// the server has accepted the start.
func (r *Replica) stream(ctx context.Context, conn *pgconn.PgConn, started func()) error {
	from := pglogrepl.LSN(r.pos.Load())
	err := pglogrepl.StartReplication(ctx, conn, r.slot, from, pglogrepl.StartReplicationOptions{
		Mode: pglogrepl.LogicalReplication, PluginArgs: r.pluginArgs(),
	})
	switch code := pgCode(err); {
	case err == nil:
	case code == "42704": // undefined_object: the slot was dropped
		return needsReload("slot %s is gone: %v", r.slot, err)
	case code == "55000": // object_not_in_prerequisite_state: invalidated (max_slot_wal_keep_size)
		return needsReload("slot %s can no longer stream: %v", r.slot, err)
	case code == "55006": // object_in_use: a walsender of an earlier connection still holds it
		r.terminateHolder(ctx)
		return fmt.Errorf("starting replication: %w", err)
	default:
		return fmt.Errorf("starting replication: %w", err)
	}
	started()
	r.log.Info("replica: streaming", "slot", r.slot, "from", from.String())

	sctx, stop := context.WithCancel(ctx)
	frames := make(chan frame, 256)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			msg, err := conn.ReceiveMessage(sctx)
			var f frame
			switch m := msg.(type) {
			case nil:
				f.err = err
			case *pgproto3.CopyData:
				f.data = append([]byte(nil), m.Data...)
			case *pgproto3.ErrorResponse:
				f.err = pgconn.ErrorResponseToPgError(m)
			case *pgproto3.CopyDone:
				f.err = errors.New("the server ended the stream")
			default:
				continue // notices, parameter changes
			}
			select {
			case frames <- f:
			case <-sctx.Done():
				return
			}
			if f.err != nil {
				return
			}
		}
	}()
	defer func() {
		stop()
		<-readerDone
	}()

	d := decoder{r: r, rels: map[uint32]*relation{}, types: pgtype.NewMap()}
	schema := r.schema.Load()
	if schema != nil {
		d.schema = *schema
	}
	tick := time.NewTicker(r.cfg.StatusInterval)
	defer tick.Stop()
	status := func(reply bool) error {
		pos := pglogrepl.LSN(r.pos.Load())
		return pglogrepl.SendStandbyStatusUpdate(ctx, conn, pglogrepl.StandbyStatusUpdate{
			WALWritePosition: pos, WALFlushPosition: pos, WALApplyPosition: pos, ReplyRequested: reply,
		})
	}
	for {
		select {
		case f := <-frames:
			if f.err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("receiving: %w", f.err)
			}
			reply, err := d.frame(f.data)
			if err != nil {
				return err
			}
			if reply {
				if err := status(false); err != nil {
					return fmt.Errorf("sending status: %w", err)
				}
			}
		case <-r.poke:
			if err := status(true); err != nil {
				return fmt.Errorf("sending status: %w", err)
			}
		case <-tick.C:
			if err := status(true); err != nil {
				return fmt.Errorf("sending status: %w", err)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// terminateHolder ends the walsender that holds the slot (an earlier
// connection of this replica, whose end the server has not noticed yet).
func (r *Replica) terminateHolder(ctx context.Context) {
	conn, err := connectReplication(ctx, r.cfg.ConnString)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	conn.Exec(ctx, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
		WHERE slot_name = '`+r.slot+`' AND active_pid IS NOT NULL AND active_pid <> pg_backend_pid()`).ReadAll()
}

// decoder decodes and applies the stream's messages.
type decoder struct {
	r      *Replica
	schema string
	rels   map[uint32]*relation
	types  *pgtype.Map
	inTxn  bool
	ops    []op
	why    string // a change of the transaction that the store cannot apply
}

// frame handles one CopyData message of the stream; reply is true when
// the server asked for a status at once.
func (d *decoder) frame(data []byte) (reply bool, err error) {
	if len(data) == 0 {
		return false, nil
	}
	switch data[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		k, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
		if err != nil {
			return false, err
		}
		// Between transactions, the keepalive's position is the end of
		// the last record the server's decoder has read: every
		// transaction that committed before it has been sent, so applied.
		// Within one it says nothing of this transaction, which is not
		// applied yet.
		if !d.inTxn {
			d.r.advance(uint64(k.ServerWALEnd))
			d.r.current(k.ServerTime)
		}
		return k.ReplyRequested, nil
	case pglogrepl.XLogDataByteID:
		x, err := pglogrepl.ParseXLogData(data[1:])
		if err != nil {
			return false, err
		}
		return false, d.message(x.WALData)
	}
	return false, nil
}

// message handles one pgoutput message.
func (d *decoder) message(data []byte) error {
	msg, err := pglogrepl.Parse(data)
	if err != nil {
		return fmt.Errorf("decoding: %w", err)
	}
	switch m := msg.(type) {
	case *pglogrepl.RelationMessage:
		return d.relation(m)
	case *pglogrepl.BeginMessage:
		d.inTxn, d.ops, d.why = true, d.ops[:0], ""
	case *pglogrepl.InsertMessage:
		return d.row(m.RelationID, false, m.Tuple)
	case *pglogrepl.UpdateMessage:
		if m.OldTuple != nil && (m.OldTupleType == pglogrepl.UpdateMessageTupleTypeKey || m.OldTupleType == pglogrepl.UpdateMessageTupleTypeOld) {
			// The row's key changed: the old row goes, the new one comes.
			if err := d.row(m.RelationID, true, m.OldTuple); err != nil {
				return err
			}
		}
		return d.row(m.RelationID, false, m.NewTuple)
	case *pglogrepl.DeleteMessage:
		return d.row(m.RelationID, true, m.OldTuple)
	case *pglogrepl.TruncateMessage:
		for _, id := range m.RelationIDs {
			if rel := d.rels[id]; rel != nil && rel.t != tUnknown {
				d.why = "table " + rel.name + " was truncated"
			}
		}
	case *pglogrepl.CommitMessage:
		d.inTxn = false
		return d.commit(m)
	}
	return nil
}

func (d *decoder) relation(m *pglogrepl.RelationMessage) error {
	rel := &relation{name: m.Namespace + "." + m.RelationName}
	d.rels[m.RelationID] = rel
	t := tableByName[m.RelationName]
	if t == tUnknown || m.Namespace != d.schema {
		return nil
	}
	for _, name := range columns[t] {
		i := -1
		for j, c := range m.Columns {
			if c.Name == name {
				i = j
				break
			}
		}
		if i < 0 {
			return fmt.Errorf("table %s has no column %s", rel.name, name)
		}
		rel.pos = append(rel.pos, i)
		rel.oids = append(rel.oids, m.Columns[i].DataType)
	}
	rel.t = t
	return nil
}

// value decodes column i of rel in tuple into dst, a pgtype value that
// takes NULL. It reports false for an unchanged TOASTed value, which the
// tuple does not carry.
func (d *decoder) value(rel *relation, tuple *pglogrepl.TupleData, i int, dst any) (bool, error) {
	p := rel.pos[i]
	if p >= len(tuple.Columns) {
		return false, fmt.Errorf("table %s: a row of %d columns", rel.name, len(tuple.Columns))
	}
	c := tuple.Columns[p]
	var format int16
	var src []byte
	switch c.DataType {
	case pglogrepl.TupleDataTypeToast:
		return false, nil
	case pglogrepl.TupleDataTypeNull:
	case pglogrepl.TupleDataTypeBinary:
		format, src = pgtype.BinaryFormatCode, c.Data
	default:
		format, src = pgtype.TextFormatCode, c.Data
	}
	if err := d.types.Scan(rel.oids[i], format, src, dst); err != nil {
		return false, fmt.Errorf("table %s, column %s: %w", rel.name, columns[rel.t][i], err)
	}
	return true, nil
}

// row decodes a row change into the transaction's ops.
func (d *decoder) row(relID uint32, del bool, tuple *pglogrepl.TupleData) error {
	rel := d.rels[relID]
	if rel == nil {
		return fmt.Errorf("a change to relation %d before its description", relID)
	}
	if rel.t == tUnknown || tuple == nil {
		return nil
	}
	o := op{t: rel.t, del: del}
	var i8 [3]pgtype.Int8
	var i2 [3]pgtype.Int2
	int8s := func(n int) error {
		for i := range n {
			if _, err := d.value(rel, tuple, i, &i8[i]); err != nil {
				return err
			}
			if !i8[i].Valid {
				return fmt.Errorf("table %s: NULL %s", rel.name, columns[rel.t][i])
			}
		}
		o.a, o.b, o.c = i8[0].Int64, i8[1].Int64, i8[2].Int64
		return nil
	}
	switch rel.t {
	case tUsers:
		if err := int8s(1); err != nil {
			return err
		}
		if del {
			o.unsupported = fmt.Sprintf("user %d was deleted", o.a)
			break
		}
		var birth, asOf pgtype.Date
		var verified, hideC, hideF pgtype.Bool
		var key pgtype.Text
		for i, dst := range []any{nil, &i2[0], &birth, &i2[1], &asOf, &verified, &hideC, &hideF} {
			if i > 0 {
				if _, err := d.value(rel, tuple, i, dst); err != nil {
					return err
				}
			}
		}
		ok, err := d.value(rel, tuple, 8, &key)
		if err != nil {
			return err
		}
		o.key, o.keySet = key.String, ok
		o.user = graph.User{Status: graph.Status(i2[0].Int16), Band: graph.AgeBand(i2[1].Int16),
			Verified: verified.Bool, HideFromContacts: hideC.Bool, HideFromFacebook: hideF.Bool}
		if birth.Valid {
			o.user.Birth = birth.Time
		}
		if asOf.Valid {
			o.user.BandAsOf = asOf.Time
		}
	case tFollows, tBlocks, tRestricts, tFacebook:
		if err := int8s(2); err != nil {
			return err
		}
	case tContacts:
		if err := int8s(1); err != nil {
			return err
		}
		var key pgtype.Text
		if _, err := d.value(rel, tuple, 1, &key); err != nil {
			return err
		}
		o.key = key.String
	case tSettings:
		if err := int8s(1); err != nil {
			return err
		}
		if !del {
			var routes pgtype.Int8
			for i, dst := range []any{nil, &i2[0], &routes, &i2[1]} {
				if i > 0 {
					if _, err := d.value(rel, tuple, i, dst); err != nil {
						return err
					}
				}
			}
			s, err := settings(i2[0].Int16, routes.Int64, i2[1].Int16)
			if err != nil {
				return fmt.Errorf("user %d: %w", o.a, err)
			}
			o.settings = s
		}
	case tConversations:
		if del {
			if err := int8s(2); err != nil {
				return err
			}
			o.unsupported = fmt.Sprintf("the conversation of users %d and %d was deleted", o.a, o.b)
			break
		}
		if err := int8s(3); err != nil {
			return err
		}
		var started pgtype.Timestamptz
		if _, err := d.value(rel, tuple, 3, &i2[0]); err != nil {
			return err
		}
		if _, err := d.value(rel, tuple, 4, &started); err != nil {
			return err
		}
		o.state, o.started = inbox.State(i2[0].Int16), started.Time.UTC()
	}
	if o.unsupported != "" && d.why == "" {
		d.why = o.unsupported
	}
	d.ops = append(d.ops, o)
	return nil
}

// commit applies the transaction's changes to the store, all visible at
// once, and moves the replica's position to the end of its commit record.
func (d *decoder) commit(m *pglogrepl.CommitMessage) error {
	r := d.r
	end := uint64(m.TransactionEndLSN)
	if end <= r.pos.Load() {
		return nil // applied already (the snapshot held it, or a resent transaction)
	}
	if d.why != "" {
		return needsReload("%s, which the embedded store cannot apply", d.why)
	}
	if len(d.ops) > 0 {
		st := r.store.Load()
		err := st.Update(func(tx *memory.Txn[int64]) error {
			for i := range d.ops {
				if err := apply(tx, &d.ops[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			// The store keeps no undo log: what the transaction wrote
			// before the failure stays, so only a new snapshot repairs it.
			return needsReload("applying the transaction that ends at %v: %v", m.TransactionEndLSN, err)
		}
	}
	r.advance(end)
	r.current(m.CommitTime)
	r.applied.Add(1)
	if r.cfg.OnApply != nil {
		r.cfg.OnApply(Applied{Token: r.Position(), CommitTime: m.CommitTime, Changes: len(d.ops)})
	}
	return nil
}

// apply makes one row change in the store.
func apply(tx *memory.Txn[int64], o *op) error {
	switch o.t {
	case tUsers:
		if err := tx.SetUser(o.a, o.user); err != nil {
			return err
		}
		if o.keySet {
			return tx.SetContactKey(o.a, graph.ContactKey(o.key))
		}
	case tFollows, tBlocks, tRestricts, tFacebook:
		return tx.SetEdge(edgeOf[o.t], o.a, o.b, !o.del)
	case tContacts:
		if o.del {
			return tx.RemoveContact(o.a, graph.ContactKey(o.key))
		}
		return tx.AddContact(o.a, graph.ContactKey(o.key))
	case tSettings:
		if o.del {
			return tx.SetSettings(o.a, inbox.Settings{})
		}
		return tx.SetSettings(o.a, o.settings)
	case tConversations:
		return tx.SetConversation(o.c, other(o.c, o.a, o.b), o.state, o.started)
	}
	return nil
}
