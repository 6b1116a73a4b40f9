"""SQLAlchemy storage for dealbot: tables, mappings, repositories, unit of work, migrations.

Nothing here opens a connection at import time; `bot` builds the engine (storage.db.make_engine)
and hands it down.
"""
