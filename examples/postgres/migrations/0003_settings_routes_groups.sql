-- The presets' settings: modes beyond TikTok's four, per-audience route
-- overrides (Instagram's and Messenger's message controls, packed by
-- inbox.Overrides.Bits) and the group-invite setting (Bluesky's
-- allowGroupInvites). The covering index carries them, so a decision's
-- read of the recipient's settings stays index-only.
ALTER TABLE inbox_settings DROP CONSTRAINT IF EXISTS inbox_settings_mode_check;
ALTER TABLE inbox_settings ADD CONSTRAINT inbox_settings_mode_check CHECK (mode BETWEEN 0 AND 7);  -- inbox.Mode
ALTER TABLE inbox_settings ADD COLUMN IF NOT EXISTS routes bigint NOT NULL DEFAULT 0;             -- inbox.Overrides.Bits
ALTER TABLE inbox_settings ADD COLUMN IF NOT EXISTS groups smallint NOT NULL DEFAULT 0
    CONSTRAINT inbox_settings_groups_check CHECK (groups BETWEEN 0 AND 7);                       -- inbox.Mode
DROP INDEX IF EXISTS inbox_settings_facts;
CREATE UNIQUE INDEX inbox_settings_facts ON inbox_settings (user_id) INCLUDE (mode, routes, groups);
