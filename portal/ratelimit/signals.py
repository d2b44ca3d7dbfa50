from django.dispatch import Signal

# Sent when a request is refused because a limit is reached, with the keyword
# arguments ``request``, ``scope``, ``ident`` (such as "ip:203.0.113.9",
# "user:42" or "account:alice") and ``decision``. The sender is the
# ``Decision`` class.
rate_limit_exceeded = Signal()
