"""How a console script runs one command: logging, settings, one-line errors, exit codes.

``pubdata`` and the reader's own ``pubdata-sql`` end the same way: a :class:`PubdataError` is one
line on stderr prefixed with the program's name and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from etl.errors import PubdataError
from etl.settings import Settings


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` with ``parser`` and run the command it selects (``args.func``).

    Returns:
        The command's exit code; 2 for a :class:`PubdataError`, 130 when interrupted.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser.parse_args(argv)
    garbled = _undecodable(args)
    if garbled is not None:
        sys.stderr.write(
            f"{parser.prog}: argument {garbled} is not text in this terminal's encoding "
            "(UTF-8 expected; was it pasted from a GBK file?)\n"
        )
        return 2
    settings = Settings.from_env()
    try:
        code: int = args.func(settings, args)
    except PubdataError as exc:
        sys.stderr.write(f"{parser.prog}: {exc.message}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{parser.prog}: interrupted\n")
        return 130
    return code


def _undecodable(args: argparse.Namespace) -> str | None:
    """The first text argument holding bytes the terminal's encoding could not decode.

    Python keeps such bytes of ``argv`` as lone surrogates, which no library takes as text;
    the command would fail somewhere deep with a traceback. Paths (``pathlib.Path``
    arguments) may hold any bytes and are left alone. The value is never repeated.
    """
    for name, value in vars(args).items():
        for text in value if isinstance(value, list | tuple) else [value]:
            if not isinstance(text, str):
                continue
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return name
    return None
