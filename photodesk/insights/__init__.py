"""Archive insights: what the archive holds, as plain data (queries.py, one database query per
chart), the filters every chart shares (filters.py), and the 2-D map of the archive
(projection.py). The admin pages and the API render these; a report may too."""
