"""Value checks, one module per family of categories; the registry is :mod:`.registry`.

A check takes a pyarrow string array and returns a boolean mask of the same length. Which check
belongs to which category, and how strong it is, is said by the category table
(:mod:`etl.classify.categories`).
"""
