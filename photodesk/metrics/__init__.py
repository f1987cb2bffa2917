"""Prometheus metrics at /metrics (`urls.py`): the counters and histograms of
photodesk/instruments.py, and the figures the database knows, read at scrape time
(`database.py`)."""
