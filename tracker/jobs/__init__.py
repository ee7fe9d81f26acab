"""Work outside the request, on a real task queue (Huey): the day's reminders (a periodic task
every hour that sends the day's batch once it is DIGEST_HOUR in TIMEZONE, so a worker that was
down at 09:00 catches up), their retries when the SMTP server is down, and the whole-country
workbook with its progress. SQLite storage at INSTANCE_DIR/huey.sqlite by default, Redis with
HUEY_URL=redis://…: the same code."""
