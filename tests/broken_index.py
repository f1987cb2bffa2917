"""An index backend with a bug: its searches raise an error nobody handles (for the tests of
what an unexpected 500 looks like)."""

from photodesk.search.index.embedded import EmbeddedIndex


class BrokenIndex(EmbeddedIndex):
    def search(self, query):
        raise RuntimeError("the broken index cannot search")
