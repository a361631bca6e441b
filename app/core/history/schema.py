"""The history database's schema, as numbered migrations.

``MIGRATIONS[i]`` brings a database from ``user_version`` ``i`` to ``i + 1``; a new database
runs them all. Each step runs in one transaction with its version bump, so a crash mid-way
leaves the previous version intact. Never edit a released step: add one.

Version 1: ``entries`` (one dictated utterance or one file job) and ``segments`` (timed text of
each output: the transcript is output 0, translations follow). Version 2: the FTS5 index over
segment text (external content, kept in sync by triggers; filled from existing rows).
Version 3: indexes for listing by time and for the entry → segments join. Version 4: the CJK
bigram index (``app.core.history.cjk``; its SQL function ``cjk_grams`` is registered on every
connection by :func:`register_functions`, which :func:`migrate` calls). Version 5: the CJK
index also holds each run's single characters (``cjk_chars``), so a one-character query is
exact.
"""

from __future__ import annotations

import sqlite3

from app.core.errors import GraniteError
from app.core.history import cjk

V1 = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,              -- Unix time the job finished
    kind TEXT NOT NULL CHECK (kind IN ('dictation', 'file')),
    source TEXT NOT NULL,               -- recording id (dictation) or the file's path
    task TEXT NOT NULL,
    source_language TEXT,
    target_languages TEXT NOT NULL DEFAULT '',   -- comma-separated translation targets
    model TEXT NOT NULL DEFAULT '',
    duration REAL NOT NULL DEFAULT 0,   -- seconds of audio
    audio_path TEXT,                    -- the recording or source file, if any
    audio_start REAL NOT NULL DEFAULT 0,        -- where this entry starts in audio_path
    audio_owned INTEGER NOT NULL DEFAULT 0      -- 1: an app recording, deleted with history
);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    output INTEGER NOT NULL DEFAULT 0,  -- 0 transcript, 1.. translations in order
    language TEXT,                      -- the output's language, if known
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    text TEXT NOT NULL
);
"""

V2 = """
CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, content='segments', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER segments_au AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
END;
INSERT INTO segments_fts(segments_fts) VALUES ('rebuild');
"""

V3 = """
CREATE INDEX entries_created ON entries(created);
CREATE INDEX segments_entry ON segments(entry_id, output, start);
"""

V4 = """
CREATE VIRTUAL TABLE segments_cjk USING fts5(grams, tokenize='unicode61');
CREATE TRIGGER segments_cjk_ai AFTER INSERT ON segments WHEN cjk_grams(new.text) != '' BEGIN
    INSERT INTO segments_cjk(rowid, grams) VALUES (new.id, cjk_grams(new.text));
END;
CREATE TRIGGER segments_cjk_ad AFTER DELETE ON segments BEGIN
    DELETE FROM segments_cjk WHERE rowid = old.id;
END;
CREATE TRIGGER segments_cjk_au AFTER UPDATE OF text ON segments BEGIN
    DELETE FROM segments_cjk WHERE rowid = old.id;
    INSERT INTO segments_cjk(rowid, grams)
        SELECT new.id, cjk_grams(new.text) WHERE cjk_grams(new.text) != '';
END;
INSERT INTO segments_cjk(rowid, grams)
    SELECT id, cjk_grams(text) FROM segments WHERE cjk_grams(text) != '';
"""

V5 = """
DROP TRIGGER segments_cjk_ai;
DROP TRIGGER segments_cjk_ad;
DROP TRIGGER segments_cjk_au;
DROP TABLE segments_cjk;
CREATE VIRTUAL TABLE segments_cjk USING fts5(grams, chars, tokenize='unicode61');
CREATE TRIGGER segments_cjk_ai AFTER INSERT ON segments WHEN cjk_grams(new.text) != '' BEGIN
    INSERT INTO segments_cjk(rowid, grams, chars)
        VALUES (new.id, cjk_grams(new.text), cjk_chars(new.text));
END;
CREATE TRIGGER segments_cjk_ad AFTER DELETE ON segments BEGIN
    DELETE FROM segments_cjk WHERE rowid = old.id;
END;
CREATE TRIGGER segments_cjk_au AFTER UPDATE OF text ON segments BEGIN
    DELETE FROM segments_cjk WHERE rowid = old.id;
    INSERT INTO segments_cjk(rowid, grams, chars)
        SELECT new.id, cjk_grams(new.text), cjk_chars(new.text)
        WHERE cjk_grams(new.text) != '';
END;
INSERT INTO segments_cjk(rowid, grams, chars)
    SELECT id, cjk_grams(text), cjk_chars(text) FROM segments WHERE cjk_grams(text) != '';
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5)
LATEST = len(MIGRATIONS)


class SchemaError(GraniteError):
    """The database was written by a newer version of the app."""


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the schema's triggers use (every connection needs them)."""
    conn.create_function("cjk_grams", 1, cjk.grams, deterministic=True)
    conn.create_function("cjk_chars", 1, cjk.chars, deterministic=True)


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply the missing steps up to ``target``; returns the version reached."""
    register_functions(conn)
    current = version(conn)
    if current > LATEST:
        raise SchemaError(
            f"The history was written by a newer version of the app (schema {current})."
        )
    for step in range(current, target):
        # executescript commits first; BEGIN..COMMIT makes the step and its bump one unit.
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[step]}\nPRAGMA user_version = {step + 1};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.rollback()
            raise
    return version(conn)
