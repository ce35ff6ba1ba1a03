-- A user's contact key stays unique, but through a partial unique index
-- rather than a UNIQUE constraint. PostgreSQL treats every column of a
-- plain unique index as a key column: an UPDATE of contact_key then takes
-- the strongest row lock (FOR UPDATE), which conflicts with the FOR KEY
-- SHARE locks that the foreign keys of every follows, blocks or
-- conversations insert take on both users' rows, in an order no one
-- chooses. That is how key swaps deadlocked against other writes. A
-- partial index does not make contact_key a key column, so setting it
-- takes FOR NO KEY UPDATE, which foreign-key checks never wait for; writers
-- of contact keys order themselves (see Store.SetContactKey).
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_contact_key_key;
CREATE UNIQUE INDEX IF NOT EXISTS users_contact_key ON users (contact_key) WHERE contact_key IS NOT NULL;
