"""Which photos lend their words to which: the neighbour lists of borrowed words.

A photo nobody wrote about borrows the words of its visually nearest photos that have them
(analysis/borrowed.py). The lists are kept so that the reasons can say where the words came
from, and so that a lender's edited caption or deletion finds the photos to refresh.
"""

from __future__ import annotations

from django.db import models

from photodesk.conf import image_model_label


class Neighbour(models.Model):
    image = models.ForeignKey(
        image_model_label(), on_delete=models.CASCADE, related_name="+", help_text="The borrower."
    )
    lender = models.ForeignKey(
        image_model_label(),
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A visually similar photo whose words it borrows.",
    )
    similarity = models.FloatField(help_text="Cosine of the two visual embeddings.")
    weight = models.FloatField(help_text="Share of the borrowed words (they sum to 1).")

    class Meta:
        verbose_name = "word-lending neighbour"
        constraints = [
            models.UniqueConstraint(fields=["image", "lender"], name="photodesk_neighbour_unique")
        ]
        indexes = [models.Index(fields=["lender"], name="photodesk_neighbour_lender")]
        ordering = ["image", "-weight"]

    def __str__(self) -> str:
        return f"image {self.image_id} borrows from {self.lender_id} ({self.weight:.2f})"
