"""What a model loads lives as long as the process: it is taken out of the cyclic garbage
collector's walks (gc.freeze), so a full collection in the middle of a suggestion does not
walk spaCy's pipeline or a model's objects again (an 80 ms pause at 1M, measured)."""

from __future__ import annotations

import gc

from photodesk.analysis.embedding import embedder
from photodesk.search.text import entities

from .conftest import SHARED, need


def _tracked(obj) -> bool:
    """Whether the collector still walks `obj` (gc.get_objects leaves the frozen ones out)."""
    return any(o is obj for o in gc.get_objects())


def test_a_loaded_model_and_the_entity_pipeline_are_out_of_the_collectors_walks():
    need((SHARED / "models").is_dir(), "../shared/models is missing")
    model = embedder()
    model.ensure_loaded()
    pipeline = entities.nlp()
    entities.entities("Ada Lovelace visited London.")
    assert gc.get_freeze_count() > 0
    # (not model.__dict__: Python 3.11 may make an instance's dict afresh when it is asked for)
    assert not _tracked(model)
    assert not _tracked(model.session)
    assert not _tracked(pipeline)
    # What is made afterwards is collected as usual.
    fresh = [["made later"]]
    assert _tracked(fresh)
