"""Calendar feeds (iCalendar) of due dates, at secret URLs: one per account, and any number per
body. The URL is the only credential a calendar program can send, so each carries a random
token that its owner can revoke (a new token replaces it)."""
