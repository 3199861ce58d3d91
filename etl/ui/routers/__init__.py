"""One router per page (or group of JSON routes); :func:`etl.ui.create_app` includes them all.

A router module holds its routes and whatever only its page needs (filters, chart markup); the
data comes from :mod:`etl.catalog`, the page from a template in ``etl/ui/templates``. Routers
are made by :func:`etl.ui.deps.guarded_router`, so their routes require the logged-in user.
"""
