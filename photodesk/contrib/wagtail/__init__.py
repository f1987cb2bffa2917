"""Photodesk in a Wagtail site: Wagtail's image model as Photodesk's images, a "Suggested
images" panel in the page editor, analysis on the image edit page, labels mirrored into image
tags, and the review pages in Wagtail's menu.

A site adds "photodesk.contrib.wagtail" (before the wagtail apps, so its image edit template
wins) and "photodesk" to INSTALLED_APPS, and names Wagtail's image model in PHOTODESK
(README, "Add Photodesk to an existing project", "Wagtail").
"""
