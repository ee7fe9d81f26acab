"""Backup and restore of the whole portal: the database and the evidence files, in one archive."""
