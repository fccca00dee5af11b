"""The build's one clock: which articles are out yet, and where the news window ends."""

from __future__ import annotations

import datetime as dt
import os

from gazette.dates import RANGE, in_range
from gazette.errors import GazetteError


def build_now(tz: dt.tzinfo) -> dt.datetime:
    """'Now' for choosing published articles; SOURCE_DATE_EPOCH pins it for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise GazetteError(
                f"SOURCE_DATE_EPOCH is not a whole number of seconds: {epoch!r}",
                hint="unset it or set it to a Unix time such as 1695427200",
            ) from None
        try:
            now = dt.datetime.fromtimestamp(seconds, tz)
        except (OverflowError, OSError, ValueError):
            now = None
        if now is None or not in_range(now):
            raise GazetteError(
                f"SOURCE_DATE_EPOCH is out of range: {epoch!r}",
                hint=f"{RANGE}; set it to a Unix time such as 1695427200",
            )
        return now
    return dt.datetime.now(tz)


def source_date_epoch(tz: dt.tzinfo) -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a time when set: what the news sitemap's window ends at.
    Unset, the window ends at the newest story, so the same sources give the same file
    whenever they are built (or previewed)."""
    return build_now(tz) if os.environ.get("SOURCE_DATE_EPOCH") else None
