"""A real Wagtail site with Photodesk, built for the tests: its settings are what a Wagtail site
writes (settings.py), its page types are a news article with a rich text body and one with a
StreamField body, each with a lead image (models.py)."""
