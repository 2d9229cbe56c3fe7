"""Tagging: language, topic and risk with fastText, plus operators' watchlists.

Plain functions and classes on plain data; the Beam DoFns in ``pipelines.post.transforms`` are thin
wrappers that load a ``Tagger`` once per worker and feed it batches.
"""

from pipelines.tagging.language import LanguageTagger, bundled_lid_model, pick_language
from pipelines.tagging.text import normalise_for_classifier, normalise_for_lid

__all__ = [
    "LanguageTagger",
    "bundled_lid_model",
    "normalise_for_classifier",
    "normalise_for_lid",
    "pick_language",
]
