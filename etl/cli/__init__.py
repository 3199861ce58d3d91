"""The ``pubdata`` command line."""
