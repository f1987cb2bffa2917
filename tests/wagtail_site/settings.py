"""A Wagtail 8 site with Photodesk: the test settings (database, media, models, index per
run) without the demo CMS, plus what a Wagtail site adds (marked "Photodesk")."""

from settings.test import *  # noqa: F403
from settings.test import INSTALLED_APPS, MIDDLEWARE, PHOTODESK

INSTALLED_APPS = [
    # Photodesk: before the wagtail apps, so its image edit page (with the analysis) wins.
    "photodesk.contrib.wagtail",
    *[app for app in INSTALLED_APPS if app not in {"cms_images", "photodesk"}],
    "tests.wagtail_site",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "photodesk",  # Photodesk
]
MIDDLEWARE = [*MIDDLEWARE, "wagtail.contrib.redirects.middleware.RedirectMiddleware"]
ROOT_URLCONF = "tests.wagtail_site.urls"
WAGTAIL_SITE_NAME = "Photodesk test newsroom"
WAGTAILADMIN_BASE_URL = "http://localhost"

# Photodesk
PHOTODESK = {
    # The demo's model settings are not this site's.
    **{
        k: v
        for k, v in PHOTODESK.items()
        if k
        not in {
            "IMAGE_MODEL",
            "ARTICLE_MODEL",
            "SUGGEST_USAGE_FUNCTION",
            "IMAGE_FIELDS",
            "VIDEO_MODEL",
        }
    },
    "IMAGE_MODEL": "wagtailimages.Image",
    "HOST": "photodesk.contrib.wagtail.host.WagtailHost",
    "VIDEO_MODEL": "wagtail_site.Video",
    "WAGTAIL_TAG_LABELS": "visible",
    "WAGTAIL_SUGGEST_PAGES": {
        "wagtail_site.ArticlePage": {"body": "body", "lead_image": "lead_image"},
        "wagtail_site.StreamArticlePage": {"body": "body", "lead_image": "lead_image"},
    },
}
PHOTODESK_IMAGE_MODEL = PHOTODESK["IMAGE_MODEL"]
