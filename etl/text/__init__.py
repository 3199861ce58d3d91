"""Text helpers over Arrow string arrays that classify and protect share.

:mod:`etl.text.strings` normalises strings (whitespace, separators, upper case) and
:mod:`etl.text.canonical` holds the canonical forms tokens and person counts are computed over.
Nothing here knows a sensitivity category; the category spec (:mod:`etl.classify.categories`)
names the canonical form each category takes.
"""
