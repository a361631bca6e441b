"""Searchable history: every finished dictation utterance and file job in SQLite with FTS5.

- ``schema``: the tables and their versioned migrations (``PRAGMA user_version``).
- ``store``: ``HistoryStore`` (open/repair, add one job atomically, search, list, delete).
- ``search``: the FTS5 and CJK bigram queries behind ``HistoryStore.search``; ``Filters``, ``Hit``.
- ``service``: ``HistoryService``, the one thread that owns the connection; the GUI and the
  result path only enqueue work, so SQLite never runs on the GUI thread.
- ``retention``: keep N days / forever, delete all (recordings the app made go too).
"""
