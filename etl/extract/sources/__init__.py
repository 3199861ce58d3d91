"""Source kinds behind one interface: each yields :class:`~etl.extract.parts.ExtractedPart`.

``files`` (landing-zone files and globs), ``sql`` (SQLAlchemy) and ``http`` (JSON APIs); the
dispatch is :func:`etl.extract.api.iter_parts`.
"""
