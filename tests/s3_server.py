"""A real S3 stand-in for tests: moto's server in its own process, and helpers around it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

#: Credentials moto accepts (it checks none); the region every test store uses.
TEST_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 server as a subprocess (its own session); yields the endpoint URL.

    A subprocess, not a thread: delta-rs holds the GIL in some calls (``history``) while it
    waits for the store, so a server thread in the same interpreter would deadlock with it.
    """
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def make_bucket(endpoint: str, bucket: str) -> None:
    """Create ``bucket`` on the store at ``endpoint``."""
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=TEST_AWS["AWS_REGION"],
        aws_access_key_id=TEST_AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=TEST_AWS["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=bucket)
