-- How the schema maps onto Citus (distributed PostgreSQL). NOT APPLIED:
-- postgres.Migrate runs migrations/*.sql only, and Citus is not installed
-- where this module is tested. See README.md, "Scaling", for what was
-- verified on plain PostgreSQL and what was not.
--
-- The rule: every table is keyed by the user whose facts it holds (the
-- "owner" of a row), every distributed table is distributed by that
-- column, and all of them are co-located, so that one user's rows of
-- every table live on one shard group. A decision reads the facts of two
-- users, the sender and the recipient, so it touches at most two shard
-- groups (one when both users hash to the same shard).

-- Accounts: a reference table, copied to every worker. Every decision
-- reads both users' accounts and joins the other user's contact key to the
-- owner's address book; as a reference table that join is local on every
-- shard, and the unique index on contact_key (which Citus would refuse on
-- a distributed table: it does not include the distribution column) and
-- the foreign keys of the relation tables (to any column of a reference
-- table) stay as they are. A write of an account is a write to every
-- worker: accounts change rarely (sign-up, age verification, status).
SELECT create_reference_table('users');

-- The relations, by their actor: A's follows, blocks, restricts and
-- address book live on A's shard. In one decision the sender's side
-- (follower = sender, blocker = sender, …) is on the sender's shard and
-- the recipient's side on the recipient's.
SELECT create_distributed_table('follows', 'follower');
SELECT create_distributed_table('blocks', 'blocker', colocate_with => 'follows');
SELECT create_distributed_table('restricts', 'restrictor', colocate_with => 'follows');
SELECT create_distributed_table('synced_contacts', 'owner', colocate_with => 'follows');
SELECT create_distributed_table('inbox_settings', 'user_id', colocate_with => 'follows');

-- Pair rows, stored once per unordered pair with the smaller ID first:
-- distributed by user_lo, a pair's link and thread live on the shard of
-- one of its two users.
SELECT create_distributed_table('facebook_links', 'user_lo', colocate_with => 'follows');

-- Conversations need one adjustment before they distribute. A decision
-- reads the pair's thread (user_lo, user_hi) and counts the sender's
-- pending requests (starter = sender, over every thread the sender
-- started, whichever user of each pair is the smaller). Distributed by
-- user_lo, the count would visit every shard. So the count moves to a
-- table of its own, distributed by the starter and written in the same
-- transaction as the thread (a transaction over the two users' shards):
--
--   CREATE TABLE pending_requests (
--       starter   bigint      NOT NULL REFERENCES users (id),
--       recipient bigint      NOT NULL REFERENCES users (id),
--       started   timestamptz NOT NULL,
--       PRIMARY KEY (starter, recipient));
--   SELECT create_distributed_table('pending_requests', 'starter', colocate_with => 'follows');
--
-- and the facts statement counts it (WHERE starter = $1 AND started > $4
-- AND started <= $3) in place of the partial index conversations_pending.
-- The thread itself stays one row per pair, on user_lo's shard:
SELECT create_distributed_table('conversations', 'user_lo', colocate_with => 'follows');

-- Shards one decision touches, with this layout (the facts statement,
-- postgres.Statements()["facts"], as EXPLAIN shows it on plain
-- PostgreSQL: fourteen index-only lookups, each keyed by one of the two
-- users):
--
--   users s, users r                      reference table: local, no shard
--   follows, blocks, restricts (s → r)    the sender's shard
--   follows, blocks, restricts (r → s)    the recipient's shard
--   synced_contacts owner = s, owner = r  the sender's, the recipient's
--   inbox_settings user_id = r            the recipient's shard
--   facebook_links, conversations (pair)  user_lo's shard: one of the two
--   pending_requests starter = s          the sender's shard
--
-- so two shard groups, on at most two workers, for any decision; one when
-- the users share a shard. A batch (one sender, N recipients) touches the
-- sender's shard group and each recipient's.
--
-- The statement as written joins both users' rows in one query, filtered
-- by two different distribution values, which Citus's router planner does
-- not send to a single shard. Run it on Citus as two router statements,
-- each on one shard group (the sender's side, then the recipient's, each
-- returning its half of the columns), pipelined in one round trip to the
-- coordinator; or keep the one statement and let Citus plan it across the
-- two shards. Which of the two is faster was not measured (see README.md).
