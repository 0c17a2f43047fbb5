"""Keeping an instance whole: the consistency check, backup and restore.

* ``check``   — one pass over everything that must agree with something else (file
  records and the bytes on disk, register numbers, the audit chain, the search index,
  meeting event logs) and, on request, the repair of what a crash may leave behind;
* ``backup``  — a consistent archive of a running instance (database snapshot, the
  blobs it references, the instance folder's key) and its restore into an empty one;
* ``cli``     — ``flask --app docmgmt check | backup | restore``.
"""
