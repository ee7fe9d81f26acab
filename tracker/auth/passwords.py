"""Which new passwords are refused, and why in words a person can act on.

Checked by zxcvbn (Dropbox's estimator, the Python port on PyPI): its lists of the most used
passwords, words and names, and its patterns (runs, repeats, sequences, keyboard rows, dates).
A password it rates 0 or 1 of 4 (fewer than a million guesses) is refused, as is one that contains
the account's e-mail name or a word of its name. There is no rule on character classes: a phrase
of several words passes. Every place a password is set goes through `password_problem`: the
`users create` command, the administrator's account form (new and reset) and one's own password.
"""

import re
import threading

from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 8
#: zxcvbn's score (0–4) a new password must reach: 2 means at least a million guesses, which the
#: sign-in lockout (10 attempts per 5 minutes per account) stretches to years
MIN_SCORE = 2
#: zxcvbn reads this much of a password (its own limit); a longer one is judged by its start
ANALYSED_LENGTH = 72
#: parts of an e-mail name or of an account's name shorter than this are not looked for
PERSONAL_PART = 4

# zxcvbn keeps the words of the person being checked in a module-level dictionary while it runs:
# two requests checking at the same moment would otherwise see each other's e-mail names.
_zxcvbn_lock = threading.Lock()

# The Russian keyboard layout (Kazakh shares these keys): "пароль" typed with the layout switched
# off is "gfhjkm", and "йцукенгш" is "qwertyui" — both as weak as the Latin originals.
_RUSSIAN_KEYS = str.maketrans(
    "йцукенгшщзхъфывапролджэячсмитьбюё",
    "qwertyuiop[]asdfghjkl;'zxcvbnm,.`")


def personal_words(email: str | None, name: str | None) -> list[str]:
    """The e-mail name (before the @) and its parts, and the words of the account's name."""
    local = (email or "").strip().lower().partition("@")[0]
    words = [local, *re.split(r"[^\w]+|_|\d+", local), *re.split(r"[\W_]+", (name or "").lower())]
    return sorted({w for w in words if len(w) >= PERSONAL_PART}, key=len, reverse=True)


def password_problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Why `password` may not be an account's password (a translated sentence), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Password: at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    personal = personal_words(email, name)
    lowered = password.lower()
    if any(word in lowered for word in personal):
        return _("Password: it contains the e-mail name or the name of the account; choose one that does not.")
    candidates = [password[:ANALYSED_LENGTH]]
    typed_on_latin_keys = password.lower().translate(_RUSSIAN_KEYS)[:ANALYSED_LENGTH]
    if typed_on_latin_keys != candidates[0].lower():
        candidates.append(typed_on_latin_keys)
    # imported here: loading its dictionaries takes a fifth of a second, which every command and
    # worker would otherwise pay at start whether or not it ever sets a password
    from zxcvbn import zxcvbn

    with _zxcvbn_lock:
        results = [zxcvbn(candidate, user_inputs=personal) for candidate in candidates]
    weakest = min(results, key=lambda result: result["guesses"])
    if weakest["score"] >= MIN_SCORE:
        return None
    return _reason(weakest)


def _reason(result: dict) -> str:
    """The pattern that covers most of the password, said as a reason."""
    patterns = [m for m in result["sequence"] if m["pattern"] != "bruteforce"]
    if not patterns:
        return _("Password: too easy to guess; a few unrelated words are easier to remember and much harder to guess.")
    match = max(patterns, key=lambda m: len(m["token"]))
    kind = match["pattern"]
    if kind == "dictionary":
        if match["dictionary_name"] == "passwords":
            if len(match["token"]) == len(result["password"]):
                return _("Password: too common — it is in the list of the most used passwords.")
            return _("Password: built on one of the most used passwords; add more words.")
        if match["dictionary_name"] == "user_inputs":
            return _("Password: it contains the e-mail name or the name of the account; choose one that does not.")
        return _("Password: a common word or name with little added; add more words.")
    if kind == "repeat":
        if len(match["base_token"]) == 1:
            return _("Password: a run of one character (like «aaaaaaaa»).")
        return _("Password: the same characters repeated (like «abcabcabc»).")
    if kind == "sequence":
        return _("Password: a sequence (like «12345678» or «abcdefgh»).")
    if kind == "spatial":
        return _("Password: neighbouring keys of the keyboard (like «qwertyui» or «1qaz2wsx»).")
    if kind in ("date", "regex"):  # zxcvbn's regex pattern is a recent year
        return _("Password: a date or a year is easy to guess; add more words.")
    return _("Password: too easy to guess; a few unrelated words are easier to remember and much harder to guess.")
