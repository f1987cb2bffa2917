"""The embedded default index: in-process, no server, shared by every process of the site.

- Store (store.py): one SQLite file holds every document (vector, terms, attributes) and a
  log of the ids written since the last snapshot. A write is one small transaction
  (milliseconds at any size), seen by every other process at its next search.
- Snapshot (segments.py): the documents as numpy arrays in a folder — vectors, per-field
  postings with document lengths, attribute columns — memory-mapped when a process starts,
  so a cold process answers at once and processes share the pages. After SNAPSHOT_AFTER
  changes a writer folds them into a new snapshot.
- Search (backend.py): a process holds the snapshot plus the documents written since (read
  from the log); exact cosine search is one matrix product, BM25 reads each query word's
  postings per field, filters are boolean masks. BM25 statistics are those of the documents
  the filters allow, and it reports which words of which field matched (the "reasons").

An index in the earlier one-file format (index.npz) is read once into the store.
"""

from photodesk.search.index.embedded.backend import EmbeddedIndex, EmbeddedOptions

__all__ = ["EmbeddedIndex", "EmbeddedOptions"]
