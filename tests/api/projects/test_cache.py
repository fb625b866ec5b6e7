"""Cached project reads: an answer is served from the cache until the index moves (new block, reorg, finality)
or the catalogue changes (any write to projects, documents, updates; or `invalidate`), in Redis shared by
replicas when REDIS_URL is set, in process memory otherwise.

A cached answer is told apart from a fresh one by changing an indexed figure without moving the checkpoint (the
indexer never does that): the cache keeps the old figure until the stamp changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.projects.cache import MemoryCache, invalidate
from tests.api.conftest import Api
from tests.api.projects.conftest import Catalogue

URL = "/api/v1/projects"
REDIS_URL = "redis://127.0.0.1:6379/0"


def raised(client: TestClient, path: str = URL) -> int:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    data: Any = answer.json()["data"]
    figures = (data[0] if isinstance(data, list) else data)["on_chain"]
    return int(figures["raised_cents"])


def change_behind_the_index(catalogue: Catalogue, minted: int) -> None:
    catalogue.sql("UPDATE chain_projects SET minted = :m", m=minted)


@pytest.fixture
def funded(catalogue: Catalogue) -> dict[str, Any]:
    project = catalogue.project(name="Cached Solar")
    catalogue.on_chain(project, minted=100)
    catalogue.checkpoint(10)
    return project


@pytest.mark.parametrize("path", ["list", "detail"])
def test_a_new_indexed_block_changes_the_answer(
    api: Api, catalogue: Catalogue, funded: dict[str, Any], path: str
) -> None:
    url = URL if path == "list" else f"{URL}/{funded['id']}"
    assert raised(api.client, url) == 100
    change_behind_the_index(catalogue, 250)
    assert raised(api.client, url) == 100  # cached: the stamp has not moved
    catalogue.checkpoint(11)
    assert raised(api.client, url) == 250
    body = api.client.get(url).json()
    assert body["meta"]["indexed_block"] == 11
    if path == "list":
        assert body["data"][0]["on_chain"]["as_of_block"] == 11


def test_a_reorg_to_another_block_of_the_same_height_or_new_finality_changes_the_answer(
    api: Api, catalogue: Catalogue, funded: dict[str, Any]
) -> None:
    assert raised(api.client) == 100
    change_behind_the_index(catalogue, 300)
    catalogue.checkpoint(10, salt="other branch")
    assert raised(api.client) == 300
    change_behind_the_index(catalogue, 400)
    catalogue.checkpoint(10, salt="other branch", finalized=10)
    assert raised(api.client) == 400
    assert api.client.get(URL).json()["meta"]["finalized_block"] == 10


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE projects SET name = 'Renamed Solar'",
        "INSERT INTO project_updates (project_id, title, content) SELECT id, 'News', 'Text' FROM projects",
        "INSERT INTO project_documents (project_id, title, cid) SELECT id, 'Audit', 'bafy' FROM projects",
        "DELETE FROM project_updates",
    ],
)
def test_any_catalogue_write_changes_the_answer(
    api: Api, catalogue: Catalogue, funded: dict[str, Any], edit: str
) -> None:
    detail = f"{URL}/{funded['id']}"
    assert raised(api.client) == raised(api.client, detail) == 100
    change_behind_the_index(catalogue, 500)
    catalogue.sql(edit)
    assert raised(api.client) == raised(api.client, detail) == 500


def test_invalidate_makes_every_cached_answer_stale_once_committed(
    api: Api, catalogue: Catalogue, funded: dict[str, Any], clean_db: Engine
) -> None:
    assert raised(api.client) == 100
    change_behind_the_index(catalogue, 600)
    with Session(clean_db) as session:
        invalidate(session)
        assert raised(api.client) == 100  # not yet committed: nobody sees the new version
        session.commit()
    assert raised(api.client) == 600


def test_hits_get_a_fresh_meta_each_time(api: Api, funded: dict[str, Any]) -> None:
    first, second = api.client.get(URL), api.client.get(URL)
    assert first.json()["data"] == second.json()["data"]
    assert first.json()["meta"]["request_id"] != second.json()["meta"]["request_id"]
    assert second.json()["meta"]["request_id"] == second.headers["x-request-id"]


def test_a_zero_ttl_turns_the_cache_off(make_app: Any, catalogue: Catalogue, funded: dict[str, Any]) -> None:
    with TestClient(make_app(api_cache_ttl_seconds=0), base_url="https://testserver") as client:
        assert raised(client) == 100
        change_behind_the_index(catalogue, 700)
        assert raised(client) == 700


def test_with_a_stamp_lifetime_a_worker_reuses_the_stamp_and_reads_no_database_on_a_hit(
    make_app: Any, catalogue: Catalogue, funded: dict[str, Any]
) -> None:
    with TestClient(make_app(api_cache_stamp_seconds=3600), base_url="https://testserver") as client:
        assert raised(client) == 100
        change_behind_the_index(catalogue, 1_000)
        catalogue.checkpoint(13)
        answer = client.get(URL).json()
        assert answer["data"][0]["on_chain"]["raised_cents"] == 100  # the stamp held: block 10, as meta says
        assert answer["meta"]["indexed_block"] == 10
    with TestClient(make_app(), base_url="https://testserver") as client:  # the default reads it every time
        assert raised(client) == 1_000


# ----- Redis ---------------------------------------------------------------------------------------
@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A prefix of this test's own: other engineers' tests share the Redis."""
    prefix = f"terra-test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_with_redis_replicas_share_the_cache_and_entries_expire_after_the_ttl(
    make_app: Any, catalogue: Catalogue, funded: dict[str, Any], redis_prefix: str
) -> None:
    settings = {"redis_url": REDIS_URL, "api_cache_prefix": redis_prefix}
    with TestClient(make_app(**settings), base_url="https://testserver") as replica_a:
        assert raised(replica_a) == 100
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}*"))
    assert len(keys) == 1
    assert 0 < redis.Redis.from_url(REDIS_URL).ttl(keys[0]) <= 300

    change_behind_the_index(catalogue, 800)
    with TestClient(make_app(**settings), base_url="https://testserver") as replica_b:
        assert raised(replica_b) == 100  # a process that never read it: the answer came from Redis
        catalogue.checkpoint(12)
        assert raised(replica_b) == 800


def test_an_unreachable_redis_costs_a_database_read_not_an_error(
    make_app: Any, catalogue: Catalogue, funded: dict[str, Any]
) -> None:
    with TestClient(make_app(redis_url="redis://127.0.0.1:9/0"), base_url="https://testserver") as client:
        assert raised(client) == 100
        change_behind_the_index(catalogue, 900)
        assert raised(client) == 900


# ----- the memory backend ------------------------------------------------------------------------
def test_the_memory_cache_forgets_the_least_recently_used_beyond_its_bound_and_expired_entries() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("a", b"1", 60)
    cache.set("b", b"2", 60)
    assert cache.get("a") == b"1"  # now b is the least recently used
    cache.set("c", b"3", 60)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")
    cache.set("gone", b"4", 0)
    assert cache.get("gone") is None
