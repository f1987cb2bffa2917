"""The only module that touches the site's own models: its image model and file field, its
article model, how it records where images are used, and what people wrote about an image.

Everything goes through one `Host` (PHOTODESK["HOST"], default this module's `Host`), which
reads the models the settings name (IMAGE_MODEL, IMAGE_FILE_FIELD, IMAGE_FIELDS,
ARTICLE_MODEL, ARTICLE_FIELDS, ARTICLE_IMAGE_TOKEN, SUGGEST_USAGE_FUNCTION). A site whose
models do not fit the settings subclasses it and overrides a method or two; the Wagtail
integration does. The module-level functions below are the app's short way to ask.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, strip_tags
from django.utils.module_loading import import_string

from photodesk.conf import DEFAULTS, IMAGE_MODEL_FIX, photodesk_settings

# Rights values that suggestions leave out unless asked.
NOT_REUSABLE = {"forbidden"}

# Embedded metadata fills these fields of the image model when they are empty (and exist).
METADATA_FIELDS = {
    "title": ("headline", "object_name"),
    "caption": ("caption", "description"),
    "credit": ("credit", "byline", "artist"),
    "copyright": ("usage_terms", "copyright"),
}

# Tags after which a rendered body starts a new line: "<p>One.</p><p>Two.</p>" must not read
# as "One.Two." once the tags are gone.
_BLOCK_END = re.compile(r"<(?:br\s*/?|/(?:p|div|h[1-6]|li|blockquote|figure|tr|section))\s*>", re.I)


class Host:
    """How Photodesk reads the site's images and articles. Every method has a default that
    reads fields by the names in the settings; a field the model lacks gives "" or None."""

    # --- the image side ---

    def image_model(self) -> type[models.Model]:
        name = photodesk_settings.IMAGE_MODEL
        if not name:
            raise ImproperlyConfigured(f"PHOTODESK['IMAGE_MODEL'] is not set. {IMAGE_MODEL_FIX}")
        return apps.get_model(name)

    def image_file(self, image: Any) -> Any:
        """The image's FieldFile."""
        return getattr(image, photodesk_settings.IMAGE_FILE_FIELD)

    def image_file_name(self, image: Any) -> str:
        """Its original file name, else the stored file's ("" for an object without a file,
        such as a video's words described like an image)."""
        original = self._image_value(image, "original_filename")
        if original:
            return str(original)
        if not hasattr(image, photodesk_settings.IMAGE_FILE_FIELD):
            return ""
        file = self.image_file(image)
        return file.name.rsplit("/", 1)[-1] if file else ""

    def new_image(self, name: str, content: Any) -> models.Model:
        """An unsaved image of the site's model holding the file `content` (a django File)
        named `name`, as `manage.py ingest` adds it: its original file name kept where the
        model has a field for it."""
        model = self.image_model()
        image = model(original_filename=name) if self._image_field("original_filename") else model()
        self.image_file(image).save(name, content, save=False)
        return image

    def image_title(self, image: Any) -> str:
        """The title people gave it, else its file name."""
        return str(self._image_value(image, "title") or self.image_file_name(image))

    def image_caption(self, image: Any) -> str:
        return str(self._image_value(image, "caption") or "")

    def image_credit(self, image: Any) -> str:
        return str(self._image_value(image, "credit") or "")

    def image_rights(self, image: Any) -> str | None:
        """The rights value (one of reusable_rights(), or a value never reused); None when
        the model has no rights."""
        value = self._image_value(image, "rights")
        return None if value in (None, "") else str(value)

    def rights_label(self, image: Any) -> str:
        """What the rights value means, as the model's choices say it."""
        value = self.image_rights(image)
        if value is None:
            return ""
        field = self._image_field("rights")
        labels = dict(field.flatchoices) if field is not None else {}
        return str(labels.get(value, value))

    def rights_choices(self) -> dict[str, str]:
        """The image model's rights values and what they mean ({} when it has none)."""
        field = self._image_field("rights")
        if field is None:
            return {}
        return {str(value): str(label) for value, label in (field.flatchoices or [])}

    def reusable_rights(self) -> set[str] | None:
        """Rights values of the image model that allow reuse (None: the model has no rights,
        or no choices to say which values exist)."""
        field = self._image_field("rights")
        if field is None or not field.choices:
            return None
        return {str(value) for value, _ in field.flatchoices} - NOT_REUSABLE

    def image_added(self, image: Any) -> dt.datetime | None:
        value = self._image_value(image, "added")
        return value if isinstance(value, dt.datetime) else None

    def thumbnail_url(self, image: Any) -> str:
        """A small cached JPEG (Photodesk's thumbnail view in the admin), else the file."""
        try:
            return reverse("admin:semantic_search_thumbnail", args=[image.pk])
        except NoReverseMatch:  # the site does not serve the admin
            file = self.image_file(image)
            return file.url if file else ""

    def image_admin_url(self, image: Any) -> str:
        opts = image._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[image.pk])
        except NoReverseMatch:  # not registered in the admin
            return ""

    def focal_point_changed(self, image: Any, box: list[int]) -> None:
        """A person set the image's focal region [x, y, w, h] (upright pixels): a site whose
        image model keeps its own focal point (Wagtail) writes it there too."""

    # --- the video side (optional: VIDEO_MODEL) ---

    def video_model(self) -> type[models.Model] | None:
        """The site's video model (VIDEO_MODEL), or None when the site has no videos."""
        name = photodesk_settings.VIDEO_MODEL
        return apps.get_model(name) if name else None

    def video_file(self, video: Any) -> Any:
        """The video's FieldFile."""
        return getattr(video, photodesk_settings.VIDEO_FILE_FIELD)

    def video_file_name(self, video: Any) -> str:
        original = self._image_value(video, "original_filename")
        if original:
            return str(original)
        file = self.video_file(video)
        return file.name.rsplit("/", 1)[-1] if file else ""

    def video_title(self, video: Any) -> str:
        return str(self._image_value(video, "title") or self.video_file_name(video))

    def new_video(self, name: str, content: Any) -> models.Model:
        """An unsaved video of the site's model holding the file `content` named `name`."""
        model = self.video_model()
        if model is None:
            raise ImproperlyConfigured("PHOTODESK['VIDEO_MODEL'] is not set: no videos here.")
        names = {f.name for f in model._meta.get_fields()}
        video = model(original_filename=name) if "original_filename" in names else model()
        self.video_file(video).save(name, content, save=False)
        return video

    def video_admin_url(self, video: Any) -> str:
        opts = video._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[video.pk])
        except NoReverseMatch:
            return ""

    # --- the article side ---

    def article_model(self) -> type[models.Model] | None:
        """The site's article model (ARTICLE_MODEL, or its old name API_ARTICLE_MODEL)."""
        name = photodesk_settings.ARTICLE_MODEL
        return apps.get_model(name) if name else None

    def article_text(self, article: Any) -> tuple[str, str]:
        """(title, body as plain text): markup and image tokens are not words of the article."""
        title = self._article_value(article, "title")
        body = self._article_value(article, "body")
        return self.plain_text(str(title or "")), self.plain_text(str(body or ""))

    def article_images(self, article: Any) -> set[int]:
        """Images the article already uses: its lead image and those inserted in its body."""
        used = self.images_in_text(str(self._article_value(article, "body") or ""))
        lead = self._article_lead_image_id(article)
        if lead is not None:
            used.add(int(lead))
        return used

    def last_used(self, image_ids: Iterable[int]) -> dict[int, dt.datetime]:
        """{image id: latest use in an article}, through the site's SUGGEST_USAGE_FUNCTION
        ({} when there is none: nothing counts as used)."""
        path = photodesk_settings.SUGGEST_USAGE_FUNCTION
        if not path:
            return {}
        return _usage_function(path)(list(image_ids))

    def usage_known(self) -> bool:
        """Whether last_used() knows where images are used: without it, no image is called
        "never used" (ranking gives no such boost or reason)."""
        return bool(photodesk_settings.SUGGEST_USAGE_FUNCTION)

    # --- text of an article, as an editor holds it ---

    def image_token(self, image_id: int) -> str:
        """What "Insert into body" writes for an image (ARTICLE_IMAGE_TOKEN)."""
        return photodesk_settings.ARTICLE_IMAGE_TOKEN.format(id=image_id)

    def images_in_text(self, text: str) -> set[int]:
        return {int(found) for found in _token_pattern(_token_template()).findall(text or "")}

    def plain_text(self, text: str) -> str:
        """Text with image tokens, HTML tags and entities taken out; plain text is unchanged
        but for the tokens."""
        text = _token_pattern(_token_template()).sub(" ", text or "")
        if "<" in text:
            text = strip_tags(_BLOCK_END.sub("\n", text))
        return html.unescape(text) if "&" in text else text

    # --- reading fields by their configured names ---

    def image_field_name(self, role: str) -> str | None:
        """The image model's field for a role (title, caption, credit, rights, added)."""
        return {**DEFAULT_IMAGE_FIELDS, **(photodesk_settings.IMAGE_FIELDS or {})}.get(role, role)

    def image_field_present(self, role: str) -> str | None:
        """The image model's field for a role, or None when the model has no such field
        (Wagtail's own image has no rights field)."""
        field = self._image_field(role)
        return field.name if field is not None else None

    def article_field_name(self, role: str) -> str | None:
        """The article model's field for a role (title, body, lead_image)."""
        fields = {**DEFAULT_ARTICLE_FIELDS, **(photodesk_settings.ARTICLE_FIELDS or {})}
        return fields.get(role, role)

    def _image_field(self, role: str) -> models.Field | None:
        name = self.image_field_name(role)
        if not name:
            return None
        try:
            return self.image_model()._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    def _image_value(self, image: Any, role: str) -> Any:
        name = self.image_field_name(role)
        return getattr(image, name, None) if name else None

    def _article_value(self, article: Any, role: str) -> Any:
        name = self.article_field_name(role)
        return getattr(article, name, None) if name else None

    def _article_lead_image_id(self, article: Any) -> int | None:
        name = self.article_field_name("lead_image")
        if not name:
            return None
        # The foreign key's id, without loading the image.
        if hasattr(article, f"{name}_id"):
            return getattr(article, f"{name}_id")
        lead = getattr(article, name, None)
        return getattr(lead, "pk", lead) if lead is not None else None


# A site's IMAGE_FIELDS / ARTICLE_FIELDS name only the fields that differ from these.
DEFAULT_IMAGE_FIELDS = DEFAULTS["IMAGE_FIELDS"]
DEFAULT_ARTICLE_FIELDS = DEFAULTS["ARTICLE_FIELDS"]


@cache
def host() -> Host:
    """The site's Host (PHOTODESK["HOST"]), made once."""
    return import_string(photodesk_settings.HOST)()


@receiver(setting_changed)
def _forget_host(*, setting: str, **kwargs: Any) -> None:
    if setting == "PHOTODESK":
        host.cache_clear()


@lru_cache(maxsize=4)
def _usage_function(path: str) -> Callable[[list[int]], dict[int, dt.datetime]]:
    return import_string(path)


def _token_template() -> str:
    return photodesk_settings.ARTICLE_IMAGE_TOKEN


@lru_cache(maxsize=4)
def _token_pattern(template: str) -> re.Pattern[str]:
    """The token template as a pattern that captures the id: "[image:{id}]" finds
    "[image:12]" (a template may escape braces: "{{photo {id}}}" finds "{photo 12}")."""
    before, _, after = template.format(id="\0").partition("\0")
    return re.compile(f"{re.escape(before)}(\\d+){re.escape(after)}")


# --- The app's short ways to ask (each asks host()) ---


def get_image_model() -> type[models.Model]:
    return host().image_model()


def image_file(image: Any) -> Any:
    return host().image_file(image)


def get_video_model() -> type[models.Model] | None:
    return host().video_model()


def video_file(video: Any) -> Any:
    return host().video_file(video)


def image_file_name(image: Any) -> str:
    return host().image_file_name(image)


def get_article_model() -> type[models.Model] | None:
    """The article model of "suggestions for a stored article" (None: the site has none)."""
    return host().article_model()


def last_used(image_ids: Iterable[int]) -> dict[int, dt.datetime]:
    return host().last_used(image_ids)


def reusable_rights() -> set[str] | None:
    return host().reusable_rights()


def thumbnail_html(image: Any, height: int = 64) -> str:
    """A small <img> of the image for admin lists (its file, sized by the browser)."""
    field = image_file(image)
    if not field:
        return ""
    return format_html(
        '<img src="{}" alt="" style="height:{}px;max-width:120px;object-fit:cover" loading="lazy">',
        field.url,
        height,
    )


def usage_known() -> bool:
    """Whether the site says where images are used (else nothing counts as "never used")."""
    return host().usage_known()


# The most characters of one text Photodesk reads or copies (a caption, an IPTC field, the
# text in the image): what a caption needs, and a ceiling on what label matching, embedding
# and indexing cost for one image, also on a host model whose fields have no max_length.
MAX_TEXT_CHARS = 5_000


# List rows (image lists, search results, the suggestion panel's cards) carry at most this
# much of a caption; an image's own page or URL gives all of it.
LIST_TEXT_CHARS = 300
# Embedded keywords kept per image (a keyword-stuffed file carries thousands).
MAX_KEYWORDS = 200


def _capped(text: Any) -> str:
    return str(text or "")[:MAX_TEXT_CHARS].strip()


def short_text(text: str | None, limit: int = LIST_TEXT_CHARS) -> str:
    """`text` cut at `limit` characters (at a word where it can), with "…" when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip() + "…"


def capped_metadata(metadata: dict) -> dict:
    """Embedded metadata with every text cut at MAX_TEXT_CHARS and at most MAX_KEYWORDS
    keywords: what is stored and shown of a file's caption, whatever size the file says."""
    capped: dict = {}
    for key, value in (metadata or {}).items():
        if isinstance(value, str):
            value = value[:MAX_TEXT_CHARS]
        elif isinstance(value, list):
            value = [v[:MAX_TEXT_CHARS] if isinstance(v, str) else v for v in value[:MAX_KEYWORDS]]
        capped[key] = value
    return capped


def written_text(image: Any, analysis: Any, *, unsaid: frozenset[str] = frozenset()) -> str:
    """Words people wrote about the image: title, caption, IPTC headline and keywords (each
    cut at MAX_TEXT_CHARS); keywords in `unsaid` (casefolded) are left out."""
    meta = analysis.photo_metadata or {}
    keywords = [str(k) for k in (meta.get("keywords") or [])[:MAX_KEYWORDS]]
    parts = [
        _human_title(image),
        host().image_caption(image),
        meta.get("headline", ""),
        meta.get("caption", ""),
        meta.get("description", ""),
        ", ".join(k for k in keywords if _folded(k) not in unsaid),
    ]
    return ". ".join(p for p in map(_capped, parts) if p)


def lending_text(image: Any, analysis: Any) -> str:
    """The human words an image may lend to photos that look like it: its written text plus
    the tags a person accepted or added. A tag a person rejected is never lent, not even as
    an IPTC keyword of the same name. The words of the articles that use it are not lent: a
    title is about the article's story, and handing it on to a look-alike photo would make
    that photo findable by a story it was never part of."""
    labels = getattr(image, "photodesk_labels", None)
    if labels is None or image.pk is None:
        return written_text(image, analysis)
    State = labels.model.State
    decided = labels.filter(state__in=[State.ACCEPTED, State.REJECTED], label__active=True)
    accepted, rejected = [], set()
    for name, synonyms, state in decided.order_by("-confidence", "pk").values_list(
        "label__name", "label__synonyms", "state"
    ):
        if state == State.REJECTED:
            rejected |= {_folded(term) for term in [name, *(synonyms or [])]}
        else:
            accepted.append(name)
    text = written_text(image, analysis, unsaid=frozenset(rejected))
    accepted = [n for n in dict.fromkeys(accepted) if _folded(n) not in rejected]
    return ". ".join(p for p in (text, _capped(", ".join(accepted))) if p)


def _folded(word: str) -> str:
    return " ".join(str(word).casefold().split())


def human_text(image: Any, analysis: Any) -> str:
    """Written text plus the text read in the image (cut at MAX_TEXT_CHARS)."""
    ocr = _capped(analysis.ocr_text.replace("\n", " "))
    return ". ".join(p for p in (written_text(image, analysis), ocr) if p)


def _human_title(image: Any) -> str:
    """The title, unless it only repeats the file name (that says nothing about the picture:
    Wagtail's upload form, for one, titles an image with its file name)."""
    title = str(host()._image_value(image, "title") or "").strip()
    stem = host().image_file_name(image).rsplit(".", 1)[0]
    # Storage renames a second file of the same name: "photo_AbC12x9.jpg" for "photo.jpg".
    stems = {_name_words(stem), _name_words(STORAGE_SUFFIX.sub("", stem))}
    return title if title and _name_words(title) not in stems else ""


STORAGE_SUFFIX = re.compile(r"_[A-Za-z0-9]{7}$")


def _name_words(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("-", " ").casefold().split())


def fill_empty_fields(image: Any, metadata: dict) -> list[str]:
    """Copy embedded metadata into the image's empty fields, cut at the field's max_length
    (MAX_TEXT_CHARS if it has none); people's edits are never overwritten. Returns the
    fields filled."""
    filled = []
    names = {f.name for f in image._meta.get_fields()}
    for role, keys in METADATA_FIELDS.items():
        field = host().image_field_name(role)
        if field not in names or getattr(image, field):
            continue
        value = next((metadata[k] for k in keys if metadata.get(k)), "")
        if value:
            max_length = image._meta.get_field(field).max_length or MAX_TEXT_CHARS
            setattr(image, field, str(value)[:max_length])
            filled.append(field)
    if filled:
        type(image).objects.filter(pk=image.pk).update(
            **{field: getattr(image, field) for field in filled}
        )
    return filled
