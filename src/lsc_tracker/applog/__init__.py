"""An append-only log that nothing may ever lose (``actuals.yaml``), every byte of its protocol.

One module per step, each taking the log's `LogSpec` (its file name, from which the names of
its side files follow), so that another log can use the same protocol:

* `spec`: a log's file name and its side files' names (lock and journal, temporary file,
  bytes taken back);
* `format`: one entry per line, ``- {...}`` holding a JSON object: YAML as well, one line per
  entry for clean diffs and merges;
* `parse`: the log's text as entries with positions, tool-written lines read fast as JSON;
* `journal`: the note a writer keeps of an append under way, so that the part of an append
  stopped mid-write is never counted, and is taken back by the next writer;
* `lock`: ``flock`` on the lock file beside the real log, shared by readers and exclusive
  for writers, and the journal written in it;
* `read`: the log's text under the shared lock, without an unfinished append;
* `append`: whole entries in one ``write`` and ``fsync``, never re-serialising what is
  already there.

What one log's entries mean (the `Actual` model, checking them against the plan before they
are appended) is the caller's: see `actuals` and `loader`. The package imports nothing on its
own, so that naming a log (`spec`) stays cheap.
"""
