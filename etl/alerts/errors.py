"""Errors of alert delivery (one line each; never the recipient list, URL or a secret)."""

from __future__ import annotations

from etl.errors import PubdataError


class DeliveryFailed(PubdataError):
    """A channel did not take the alert (refused, or still failing after its retries).

    Alerts never fail a run: the dispatcher logs this and goes on with the next channel.
    """
