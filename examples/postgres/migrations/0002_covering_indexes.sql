-- Covering indexes, so that every read of a decision is an index-only
-- lookup (once VACUUM has set the visibility map): the account row of
-- both users, the recipient's mode, the pair's thread, and the count of
-- the sender's pending requests in the cap's window.
CREATE UNIQUE INDEX IF NOT EXISTS users_facts ON users (id)
    INCLUDE (status, birth, band, band_as_of, verified, hide_from_contacts, hide_from_facebook, contact_key);
CREATE UNIQUE INDEX IF NOT EXISTS inbox_settings_facts ON inbox_settings (user_id) INCLUDE (mode);
CREATE UNIQUE INDEX IF NOT EXISTS conversations_facts ON conversations (user_lo, user_hi) INCLUDE (starter, state, started);
CREATE INDEX IF NOT EXISTS conversations_pending ON conversations (starter, started) WHERE state = 1;

-- Reverse indexes: a batch whose sender has few edges may read each
-- relation of the sender once and hash it rather than probe per recipient;
-- these make that read index-only too. They also answer "who blocked me",
-- "who has my number" (audience preview, recommendations).
CREATE INDEX IF NOT EXISTS blocks_blocked ON blocks (blocked, blocker);
CREATE INDEX IF NOT EXISTS restricts_restricted ON restricts (restricted, restrictor);
CREATE INDEX IF NOT EXISTS synced_contacts_key ON synced_contacts (key, owner);
