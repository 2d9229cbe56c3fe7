"""How a delivery can fail, by what the outbox should do next.

- ``PermanentFailure``: the receiver refused this message for good (SMTP 5xx for the sender, every
  recipient or the content; HTTP 4xx). It goes to ``queue/failed/`` at once.
- ``RefusedForNow``: the receiver answered, about this message, "not now" (SMTP 4xx, recipients
  refused some for now and some for good, HTTP 3xx/5xx/408/429). The message steps aside, is tried
  again later, and after ``alerting.delivery_max_attempts`` refusals (or ``delivery_max_age``) goes
  to ``queue/failed/``: one message never holds its channel for ever.
- Anything else (no connection, a timeout, the SMTP login refused, 421 "closing"): the receiver
  could not be asked at all, which is no fault of the message. ``smtplib``/``OSError`` exceptions
  are left as they are, and the whole queue waits, in order, until the server is back.
"""

from __future__ import annotations

from schemas.errors import SiagaError


class DeliveryError(SiagaError):
    """A receiver answered and did not take a message."""


class PermanentFailure(DeliveryError):
    """The receiver refused the message for good; retrying will not help."""


class RefusedForNow(DeliveryError):
    """The receiver refused this message for now; it may take it later."""
