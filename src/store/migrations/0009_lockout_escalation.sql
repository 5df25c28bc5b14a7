-- Migration 9: lockouts escalate (5 min, 30 min, then a supervisor unlocks): how many lockouts in
-- a row an account has had since its last good PIN.

ALTER TABLE accounts ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
