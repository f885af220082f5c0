"""Keep what people tell us out of logs: request lines are logged without query strings."""

from __future__ import annotations

import logging
import re

# "GET /api/v1/services?issue=self-harm HTTP/1.1" -> "GET /api/v1/services HTTP/1.1"
_QUERY = re.compile(r"\?[^\s\"]*")


class DropQueryStrings(logging.Filter):
    """Strip the query string from every request line a server logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_QUERY.sub("", a) if isinstance(a, str) else a for a in args)
        record.msg = _QUERY.sub("", record.msg) if isinstance(record.msg, str) else record.msg
        return True


def keep_queries_out_of_logs() -> None:
    """Install the filter on the development server's request log (once per process)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropQueryStrings) for f in logger.filters):
        logger.addFilter(DropQueryStrings())
