"""Settings of the import fuzzing (tests/test_fuzz_import.py): hypothesis profiles and the time bound.

HYPOTHESIS_PROFILE chooses the profile:
- "ci" (the default; `make test`): short and derandomized, so every run tries the same inputs;
  no example database.
- "fuzz" (`make fuzz`): random, 2,000 × the weights in test_fuzz_import.py = 12,400 examples;
  failures are kept in .hypothesis/fuzz-import and tried first on the next run.

The profiles are applied per test (`fuzz_settings(weight)`), not loaded globally, so that no other
test's hypothesis settings change.
"""

import contextlib
import os
import signal
import threading
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parent.parent

#: CPU seconds one file may take; only there to catch hangs (a seed plan parses in well under 0.2 s)
TIME_LIMIT = float(os.environ.get("FUZZ_TIME_LIMIT", "5"))

_COMMON = {
    "deadline": None,  # speed is not the property; the alarm catches hangs
    # No explain phase: once an example fails, hypothesis would trace every later one (sys.settrace on
    # Python 3.11, several times slower) and report ordinary files as hangs.
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
}
settings.register_profile("ci", max_examples=40, derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", max_examples=2000, derandomize=False,
                          database=DirectoryBasedExampleDatabase(str(ROOT / ".hypothesis" / "fuzz-import")), **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def fuzz_settings(weight: float) -> settings:
    """The chosen profile with `weight` × its max_examples for one test."""
    return settings(PROFILE, max_examples=max(1, round(PROFILE.max_examples * weight)))


class ImportHang(BaseException):
    """Raised by the alarm inside a parse that ran over its time. Not an Exception, so that no
    `except Exception` in the engine (the .docx/.xlsx readers have one) can swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float = TIME_LIMIT, wall_factor: float = 6):
    """ImportHang wherever the code under it is, once it has used `seconds` of CPU time (SIGPROF), or
    `wall_factor` times that on the clock (SIGALRM: stuck waiting rather than working). Main thread only.

    CPU time rather than the clock, so that other work on a busy 2-core machine (a second test run,
    a browser) does not make a quick parse look hung."""
    assert threading.current_thread() is threading.main_thread(), "the alarm needs the main thread"

    def on_alarm(signum, _frame):
        if signum == signal.SIGPROF:
            raise ImportHang(f"still running after {seconds} s of CPU time")
        raise ImportHang(f"still running after {seconds * wall_factor} s on the clock")

    previous = {number: signal.signal(number, on_alarm) for number in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * wall_factor)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for number, handler in previous.items():
            signal.signal(number, handler)
