"""Who the archive shows: the one query for "images showing a person" and what is built on it
(photos of someone, photos of several people together, the people an image shows, the people
a text names).

"Showing" means a decided face: recognised automatically or confirmed by a reviewer; faces
waiting for review or rejected do not count.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from photodesk.host import get_image_model
from photodesk.models import Face, Person, fold


def images_showing(people: Person | Iterable[Person] | QuerySet, images: QuerySet | None = None):
    """Images (all of the site's image model, or those in `images`) showing any of `people`."""
    if isinstance(people, Person):
        people = [people]
    faces = Face.objects.showing().filter(person__in=people)
    images = get_image_model().objects.all() if images is None else images
    return images.filter(pk__in=faces.values("image_id"))


def photos_of_person(person: Person) -> QuerySet:
    """Images showing `person` (auto-recognised or confirmed faces)."""
    return images_showing(person)


def photos_of(name: str) -> QuerySet:
    """Images showing the person called `name` (a name or alias; case and accents ignored)."""
    return images_showing(Person.objects.named(name))


def photos_with(names: list[str]) -> QuerySet:
    """Images showing every one of `names` together."""
    images = get_image_model().objects.all()
    if not names:
        return images.none()
    for name in names:
        images = images_showing(Person.objects.named(name), images)
    return images


def people_called(value: str) -> QuerySet:
    """People with this id (digits) or this name or alias."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return Person.objects.filter(pk=int(value))
    return Person.objects.named(value)


def people_shown(image: Any) -> list[Person]:
    """The people an image shows (decided faces: confirmed or recognised automatically)."""
    return people_shown_by_image([image.pk])[image.pk]


def people_shown_by_image(
    image_ids: Iterable[Any], among: Iterable[Person] | None = None
) -> defaultdict[Any, list[Person]]:
    """{image id: the people it shows, by name}, for many images in one query; only those
    `among` the people given, if given."""
    faces = Face.objects.showing().filter(image_id__in=list(image_ids))
    if among is not None:
        faces = faces.filter(person__in=list(among))
    shown: defaultdict[Any, dict[int, Person]] = defaultdict(dict)
    for face in faces.select_related("person"):
        shown[face.image_id][face.person_id] = face.person
    by_image: defaultdict[Any, list[Person]] = defaultdict(list)
    for image_id, people in shown.items():
        by_image[image_id] = sorted(people.values(), key=lambda p: (p.name, p.pk))
    return by_image


def people_names(people: Iterable[Person]) -> list[str]:
    """Names and aliases, for an index document's keyword text."""
    return [name for person in people for name in person.all_names()]


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


MAX_NAME_WORDS = 6


def people_in_text(text: str) -> list[Person]:
    """People whose name or an alias appears in `text` as whole words (case and accents
    ignored), in order of first mention."""
    words = _words(text).split()
    if not words:
        return []
    by_name: dict[str, set[int]] = {}
    for pk, names in Person.objects.values_list("pk", "search_names"):
        for name in names.strip("|").split("|"):
            key = _words(name)
            if key:
                by_name.setdefault(key, set()).add(pk)
    found: list[int] = []
    for start in range(len(words)):
        for n in range(min(MAX_NAME_WORDS, len(words) - start), 0, -1):
            for pk in by_name.get(" ".join(words[start : start + n]), ()):
                if pk not in found:
                    found.append(pk)
    people = Person.objects.in_bulk(found)
    return [people[pk] for pk in found]
