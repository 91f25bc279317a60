"""Live events for clients without a Firestore SDK: ``GET /events`` (server-sent events of a job or a batch over a
shared hub of listeners) and ``GET /job_output`` (pages of lines, the polling fallback).

``ordering`` puts chunks back in order (shared with the CLI), ``hub`` shares one listener set per job (or batch) and
instance, ``sse`` turns a job's or a batch's snapshots into events, ``job_output`` reads pages, ``endpoints`` is
their HTTP side.
"""
