"""Reminders by e-mail: who is told what on which day (`rules`), the digest each account gets
(`digest`, rendered from templates/mail/ in the account's language), the record of every message
sent (`models`), the day's batch that composes and delivers them exactly once (`batch`), and the
transports (`transport`: SMTP, or .eml files in the outbox)."""
