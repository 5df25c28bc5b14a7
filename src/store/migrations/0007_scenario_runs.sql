-- Migration 7: training scenario runs (pilot mode). A run is open until it is judged.

CREATE TABLE scenario_runs (
    id          INTEGER PRIMARY KEY,
    scenario    TEXT NOT NULL,               -- the scenario's id (assets/pilot-scenarios)
    trainee     TEXT NOT NULL,               -- login name of the trainee
    trainer     TEXT NOT NULL,               -- who started it
    started_at  TEXT NOT NULL,               -- UTC
    ended_at    TEXT,
    passed      INTEGER,                     -- NULL while open
    missed      TEXT                         -- JSON list of the checks missed
);
CREATE INDEX scenario_runs_trainee ON scenario_runs (trainee, started_at);
