"""Watching the archive: saved searches (saved.py), alert rules matched as analyses finish or
on a schedule (matching.py), sent one message or one digest per rule and interval on e-mail
and webhooks (digest.py, channels.py), and scheduled reports as PDF, XLSX and CSV
(reports.py, render.py, counts.py). The django-q2 entry points are in photodesk/tasks.py;
the schedules they run on are made here (schedules.py)."""
