"""The sign-in lockout: at most LOGIN_RATE_LIMIT password checks per address and per account.

An attempt is counted *before* its password is checked, with the storage's atomic increment
(a Lua script in Redis; a lock around the memory storage, whose first increment of a window is not
atomic), so forty wrong passwords sent at the same moment cannot all be checked against a count
that each of them read as low. An attempt that signs in gives its count back, as does one that
never reached a verdict (the database was down: a 503 must not lock anybody out). So the count is
the refused attempts of the window plus those being checked right now.

The counts live in Flask-Limiter's storage (memory, or Redis with RATELIMIT_STORAGE_URI) in fixed
windows, whatever RATELIMIT_STRATEGY says: giving a count back needs a counter. Near the end of a
window an attempt may give its count back to the next window, letting one more attempt through.
"""

import threading
from contextlib import nullcontext

from flask import current_app, request
from flask_limiter import RateLimitExceeded
from flask_limiter._limits import RuntimeLimit  # what RateLimitExceeded and the 429 page read
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from tracker.extensions import limiter

_memory_lock = threading.Lock()


class SignInAttempt:
    """`with SignInAttempt(email) as attempt:` — 429 (RateLimitExceeded) when the address or the
    account is locked; otherwise the attempt counts unless `attempt.signed_in()` is called, or the
    block ends in an exception."""

    def __init__(self, email: str):
        self.keys = [("login-address", request.remote_addr or "unknown"), ("login-account", email)]
        self.reserved: list[tuple[str, str]] = []
        self.counts = True

    def __enter__(self) -> "SignInAttempt":
        if not limiter.enabled:
            return self
        item = parse(current_app.config["LOGIN_RATE_LIMIT"])
        for key in self.keys:
            if not _hit(item, key):
                _give_back(item, key)  # the refused attempt checks no password and does not count
                for reserved in self.reserved:
                    _give_back(item, reserved)
                raise RateLimitExceeded(RuntimeLimit(limit=item, key_func=lambda k=key: "/".join(k), scope=key[0]))
            self.reserved.append(key)
        return self

    def signed_in(self) -> None:
        self.counts = False

    def __exit__(self, error_type, error, traceback) -> None:
        if self.reserved and (error_type is not None or not self.counts):
            item = parse(current_app.config["LOGIN_RATE_LIMIT"])
            for key in self.reserved:
                _give_back(item, key)


def _atomic():
    return _memory_lock if isinstance(limiter.storage, MemoryStorage) else nullcontext()


def _hit(item: RateLimitItem, key: tuple[str, str]) -> bool:
    with _atomic():
        return FixedWindowRateLimiter(limiter.storage).hit(item, *key)


def _give_back(item: RateLimitItem, key: tuple[str, str]) -> None:
    storage, name = limiter.storage, item.key_for(*key)
    with _atomic():
        if storage.get(name) > 0:  # not when the window has ended meanwhile
            storage.incr(name, item.get_expiry(), amount=-1)
