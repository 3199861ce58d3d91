"""The access file (``PUBDATA_ACCESS``, default ``$PUBDATA_HOME/access.yaml``).

It lists the named principals and every grant. Whoever can write it can grant themselves
anything, so it is refused unless the pipeline's OS user owns it and nobody else may write it.
An absent file grants nothing: only the pipeline's own user reads the lake.

Example::

    principals:
      - name: bi_superset
        secret_hash: pbkdf2_sha256$600000$...   # pubdata access hash-secret
        description: 市大数据局 BI 服务账号
    grants:
      - principal: bi_superset
        zones: [shared]
        domains: [population]
        expires: 2027-06-30
        purpose: 人口分布月报
        document: 市数发〔2026〕12号
      - principal: os:analyst
        zones: [open, shared]
        expires: 2027-01-31
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from pathlib import Path

from pydantic import model_validator

from etl.access.model import OS_PREFIX, Grant, NamedPrincipal
from etl.errors import ConfigError, PolicyError
from etl.registry.closed import Closed
from etl.registry.loader import validate_file
from etl.registry.problems import raise_for


class AccessConfig(Closed):
    """Every named principal and every grant.

    Attributes:
        principals: the named principals (OS users need no entry: grants name them
            ``os:<login>``).
        grants: what each principal may read.
    """

    principals: tuple[NamedPrincipal, ...] = ()
    grants: tuple[Grant, ...] = ()

    @model_validator(mode="after")
    def _names(self) -> AccessConfig:
        twice = [n for n, c in Counter(p.name for p in self.principals).items() if c > 1]
        if twice:
            raise ValueError(f"principal {twice[0]!r} is listed twice")
        named = {p.name for p in self.principals}
        for grant in self.grants:
            if not grant.principal.startswith(OS_PREFIX) and grant.principal not in named:
                raise ValueError(
                    f"grant for {grant.principal!r}: no such principal under principals"
                )
        return self

    def principal(self, name: str) -> NamedPrincipal | None:
        """The named principal called ``name``, if listed."""
        return next((p for p in self.principals if p.name == name), None)

    def grants_of(self, name: str) -> tuple[Grant, ...]:
        """Every grant naming ``name`` (active or not)."""
        return tuple(g for g in self.grants if g.principal == name)


def load_access(path: Path, *, owner: int | None = None) -> AccessConfig:
    """Read and check the access file.

    Args:
        path: the access file; absent means no grants.
        owner: the uid that must own it (the pipeline's OS user); None skips the check.

    Raises:
        PolicyError: the file is owned by someone else, writable by group or others, or not
            readable by this process's user.
        ConfigError: the file is not a valid access file (every problem, with file and line).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return AccessConfig()
    if owner is not None and info.st_uid != owner:
        raise PolicyError(f"access file {path} is not owned by the pipeline's user (uid {owner})")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PolicyError(
            f"access file {path} is writable by group or others (mode "
            f"{stat.S_IMODE(info.st_mode):o}); chmod 600 it"
        )
    if not os.access(path, os.R_OK):
        # another OS user cannot read the pipeline's file: no grant of theirs can be checked
        raise PolicyError(
            f"access file {path} is not readable by this OS user (uid {os.geteuid()}); no grant "
            "can be checked, so nothing is readable"
        )
    config, _, problems = validate_file(path, AccessConfig)
    raise_for(problems)
    if not isinstance(config, AccessConfig):  # every reason for None is a problem raised above
        raise ConfigError(f"access file {path} could not be read")
    return config


def write_access(path: Path, text: str) -> None:
    """Write an access file the way :func:`load_access` accepts it (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    path.chmod(0o600)
