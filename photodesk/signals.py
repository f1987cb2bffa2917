"""Photodesk's own signals: a capability says what changed, signal_handlers.py decides what
follows (re-embedding, re-indexing), so labels and people never reach up into tasks.

Receivers get `image_ids` (a list of image primary keys). Sent inside the transaction that
made the change; handlers act only after it commits.
"""

from django.dispatch import Signal

# People decided tags on these images (accepted, rejected, added): their vectors (rejected
# classes are left out) and index entries must follow.
tags_decided = Signal()

# Who these images show changed (a face named, rejected, merged, a person renamed or
# deleted): their index entries carry the names.
people_shown_changed = Signal()
