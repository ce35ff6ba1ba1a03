-- Listing a user's relations page by page (graph.Lister, for the audience
-- preview): Facebook links and conversations are stored once per unordered
-- pair, so the second user of a pair needs its own index.
CREATE INDEX IF NOT EXISTS facebook_links_hi ON facebook_links (user_hi, user_lo);
CREATE INDEX IF NOT EXISTS conversations_hi ON conversations (user_hi, user_lo) INCLUDE (starter, state, started);
