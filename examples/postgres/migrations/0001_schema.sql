-- The social graph and the inbox, keyed by user ID (bigint). Every table
-- is keyed or distributed by a user ID, so the schema shards by user (see
-- README.md, "Scaling").

-- Accounts: what the rules need to know about a user. No age is stored,
-- only what it is computed from at decision time.
CREATE TABLE IF NOT EXISTS users (
    id                 bigint   PRIMARY KEY,
    status             smallint NOT NULL CHECK (status BETWEEN 1 AND 4),  -- graph.Status: active … deleted
    birth              date,                                              -- NULL: use the verified band
    band               smallint NOT NULL DEFAULT 0 CHECK (band BETWEEN 0 AND 4),  -- graph.AgeBand
    band_as_of         date,
    verified           boolean  NOT NULL DEFAULT false,
    hide_from_contacts boolean  NOT NULL DEFAULT false,
    hide_from_facebook boolean  NOT NULL DEFAULT false,
    contact_key        text     UNIQUE,                                   -- the user's own hashed number
    CHECK (birth IS NOT NULL OR band = 0 OR band_as_of IS NOT NULL)
);

-- Directed edges. The primary keys (actor, target) answer "does A→B hold"
-- for a decision with an index-only lookup; the reverse indexes serve
-- "who follows me" lists, not decisions.
CREATE TABLE IF NOT EXISTS follows (
    follower bigint NOT NULL REFERENCES users (id),
    followee bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (follower, followee),
    CHECK (follower <> followee)
);
CREATE INDEX IF NOT EXISTS follows_followee ON follows (followee, follower);

CREATE TABLE IF NOT EXISTS blocks (
    blocker bigint NOT NULL REFERENCES users (id),
    blocked bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (blocker, blocked),
    CHECK (blocker <> blocked)
);

CREATE TABLE IF NOT EXISTS restricts (
    restrictor bigint NOT NULL REFERENCES users (id),
    restricted bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (restrictor, restricted),
    CHECK (restrictor <> restricted)
);

-- Facebook links are symmetric: one row per pair, the smaller ID first.
CREATE TABLE IF NOT EXISTS facebook_links (
    user_lo bigint NOT NULL REFERENCES users (id),
    user_hi bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (user_lo, user_hi),
    CHECK (user_lo < user_hi)
);

-- Synced contacts: the opaque keys in a user's uploaded address book. A
-- key matches the account whose users.contact_key it is, if any; keys no
-- account holds are kept, to match one that sets the key later.
CREATE TABLE IF NOT EXISTS synced_contacts (
    owner bigint NOT NULL REFERENCES users (id),
    key   text   NOT NULL,
    PRIMARY KEY (owner, key)
);

-- Inbox settings; no row (or mode 0) means the mode was never chosen.
CREATE TABLE IF NOT EXISTS inbox_settings (
    user_id bigint   PRIMARY KEY REFERENCES users (id),
    mode    smallint NOT NULL CHECK (mode BETWEEN 0 AND 4)               -- inbox.Mode
);

-- One thread per unordered pair, the smaller ID first, with who started it
-- and where it is in the message-request lifecycle.
CREATE TABLE IF NOT EXISTS conversations (
    user_lo bigint      NOT NULL REFERENCES users (id),
    user_hi bigint      NOT NULL REFERENCES users (id),
    starter bigint      NOT NULL,
    state   smallint    NOT NULL CHECK (state BETWEEN 1 AND 4),          -- inbox.State: pending, held, accepted, declined
    started timestamptz NOT NULL,
    PRIMARY KEY (user_lo, user_hi),
    CHECK (user_lo < user_hi),
    CHECK (starter = user_lo OR starter = user_hi)
);
