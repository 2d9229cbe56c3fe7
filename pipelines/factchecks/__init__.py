"""Claim matching: which debunked fact-checks a post repeats.

``matcher.py`` indexes fact-checks (``schemas.factcheck.FactCheck``) once and then answers, for
each post (or a batch of them), the fact-checks whose claim or quoted narrative it repeats,
allowing for rewording, slang, regional languages, hashtags, emoji, truncation and a few changed
words, and holds back a post that quotes a hoax in order to debunk it. ``vocabulary.py`` turns
words into ids (one lookup per post word), ``morphology.py`` knows Indonesian affixes, and
``lexicon.py`` holds the word lists (glosses, synonyms, stop words); the slang map lives in
``pipelines.tagging.slang``. Plain functions and classes on plain data, like ``pipelines.tagging``:
a Beam DoFn or a back-matching job wraps them.
"""
