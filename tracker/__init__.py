"""The tracker: interagency action plans, their executors, due dates and completion reports.

The Flask application is made by `tracker.app.create_app`. This file imports nothing, so that
the pure parts (the import engine, the deadline reader, the resolver) load without Flask.
"""
