"""The steps of one dataset run, each called by one DAG task.

Steps take settings, the dataset and the run context, exchange data through run-scoped staging
files, and return small JSON-safe summaries (counts, grades, URIs) fit for XCom.
"""
