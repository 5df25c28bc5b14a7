-- Issue 15: facts about the kit that only the kit (holding the database key) may change, checked
-- against kit.toml at every open. `hq_config`: SHA-256 of the central office's recipients and key.
CREATE TABLE kit_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
