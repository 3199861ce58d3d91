"""Text helpers over Arrow string arrays that extract, classify, protect and integrate share.

:mod:`etl.text.strings` normalises strings (whitespace, separators, upper case),
:mod:`etl.text.fullwidth` turns full-width ASCII forms half-width (extract's normalisation and
integration's keys), and :mod:`etl.text.canonical` holds the canonical forms tokens and person
counts are computed over.
Nothing here knows a sensitivity category; the category spec (:mod:`etl.classify.categories`)
names the canonical form each category takes.
"""
