"""Per-consumer tokens: differ per consumer, stable per consumer, a leak names its consumer."""

from __future__ import annotations

import pyarrow as pa

from etl.products.tokens import consumer_key, consumer_tag, find_consumer, rekey
from etl.protect.keys import TokenKey

KEY = TokenKey("k1", b"a test key, not a secret, 32 by")
ALICE = "91420100MA4K00001U"
BOB = "12420100MB0000003F"
SHARED = pa.array([f"k1:{'a' * 31}{c}" for c in "bcdefghijk"] + [None])


def test_two_consumers_get_tokens_that_do_not_join() -> None:
    alice, bob = rekey(SHARED, KEY, ALICE), rekey(SHARED, KEY, BOB)
    assert alice.null_count == bob.null_count == 1  # nulls stay null
    bodies = {t.split(":")[1] for t in alice.to_pylist() if t}
    assert bodies.isdisjoint(t.split(":")[1] for t in bob.to_pylist() if t)
    assert set(alice.to_pylist()).isdisjoint(SHARED.to_pylist()[:-1])  # not the shared token
    assert len(set(alice.to_pylist())) == 11  # one per shared token (and null)


def test_the_same_consumer_gets_the_same_tokens_in_every_release() -> None:
    assert rekey(SHARED, KEY, ALICE).equals(rekey(SHARED.slice(0), KEY, ALICE))
    again = TokenKey("k1", b"a test key, not a secret, 32 by")  # the key read again
    assert rekey(SHARED, again, ALICE).to_pylist() == rekey(SHARED, KEY, ALICE).to_pylist()


def test_the_consumer_key_depends_on_the_pipeline_key_and_keeps_its_version() -> None:
    key = consumer_key(KEY, ALICE)
    assert key.key_id == f"k1-{consumer_tag(KEY, ALICE)}"
    assert ALICE not in key.key_id and len(consumer_tag(KEY, ALICE)) == 8
    other = consumer_key(TokenKey("k1", b"another test key, also 32 bytes."), ALICE)
    assert other.secret != key.secret
    assert "secret" not in repr(key) or "redacted" in repr(key)


def test_a_leaked_file_names_its_consumer_even_without_the_prefix() -> None:
    leaked = [t for t in rekey(SHARED, KEY, BOB).to_pylist()[:4] if t]
    stripped = [t.split(":")[1] for t in leaked]
    for tokens in (leaked, stripped):
        found = find_consumer(tokens, pa.chunked_array([SHARED]), [ALICE, BOB], KEY)
        assert [(m.uscc, m.matched, m.checked) for m in found] == [(BOB, 4, 4)]
    assert find_consumer(["k1:nothing"], SHARED, [ALICE, BOB], KEY) == []
