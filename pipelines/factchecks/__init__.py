"""Claim matching: which debunked fact-checks a post repeats.

The matcher (``matcher.py``) indexes fact-checks (``schemas.factcheck.FactCheck``) once and then
answers, for each post text, the fact-checks whose claim or quoted narrative it repeats, allowing
for rewording, slang, hashtags, emoji, truncation and a few changed words, and holds back a post
that quotes a hoax in order to debunk it. ``slang.py`` derives the slang map it loads.
Plain functions and classes on plain data, like ``pipelines.tagging``: a Beam DoFn or a
back-matching job wraps them.
"""
