"""Shared clients (``pipelines.common.clients``): one per process and owner, replaced when unusable."""

from __future__ import annotations

from pipelines.common.clients import close_shared_clients, discard_shared_client, shared_client
from tests.conftest import Stack


def test_a_discarded_producer_is_closed_and_the_next_caller_gets_a_new_one_that_works(stack: Stack) -> None:
    kwargs = {"bootstrap_servers": [stack.bootstrap]}
    try:
        first = shared_client("kafka", kwargs, "post-pipeline")
        assert shared_client("kafka", kwargs, "post-pipeline") is first
        assert discard_shared_client("kafka", kwargs, first, "post-pipeline")
        second = shared_client("kafka", kwargs, "post-pipeline")
        assert second is not first
        assert first._closed and not second._closed
        second.send("clients-test", value=b"still works").get(timeout=10)
    finally:
        close_shared_clients()


def test_discarding_a_client_already_replaced_keeps_the_replacement(stack: Stack) -> None:
    # Two sinks that both saw the old producer fail must not close the new one between them.
    kwargs = {"bootstrap_servers": [stack.bootstrap]}
    try:
        old = shared_client("kafka", kwargs, "post-pipeline")
        discard_shared_client("kafka", kwargs, old, "post-pipeline")
        new = shared_client("kafka", kwargs, "post-pipeline")
        assert not discard_shared_client("kafka", kwargs, old, "post-pipeline")
        assert shared_client("kafka", kwargs, "post-pipeline") is new and not new._closed
    finally:
        close_shared_clients()


def test_each_owner_has_its_own_client_so_replacing_one_leaves_the_others_open(stack: Stack) -> None:
    kwargs = {"bootstrap_servers": [stack.bootstrap]}
    try:
        pipeline, alerting = shared_client("kafka", kwargs, "post-pipeline"), shared_client("kafka", kwargs)
        assert pipeline is not alerting
        discard_shared_client("kafka", kwargs, pipeline, "post-pipeline")
        assert not alerting._closed and shared_client("kafka", kwargs) is alerting
    finally:
        close_shared_clients()
