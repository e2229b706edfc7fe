"""Statements into ClickHouse through the real Ralph LRS, and in bulk."""

from __future__ import annotations

import uuid

import pytest
import requests

from tutoraspects.clickhouse_client import connect
from tutoraspects.loading import BadStatementError, bulk_insert, post_statements


def statement(n: int = 0, **changes) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": str(uuid.uuid4())}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/registered", "display": {"en": "registered"}},
        "object": {"id": f"http://lms.test/course/course-v1:Org+C{n}+Run", "objectType": "Activity"},
        "timestamp": "2026-11-01T10:00:00.000000+00:00",
        "version": "1.0.3",
    }
    body.update(changes)
    return body


def stored(settings, ids) -> int:
    """Statements stored once each, as the marts will count them."""
    return connect(settings).command(
        "SELECT uniqExact(event_id) FROM xapi.xapi_events_all WHERE event_id IN {ids:Array(UUID)}",
        parameters={"ids": list(ids)},
    )


def rows(settings, ids) -> int:
    return connect(settings).command(
        "SELECT count() FROM xapi.xapi_events_all FINAL WHERE event_id IN {ids:Array(UUID)}",
        parameters={"ids": list(ids)},
    )


def test_statements_posted_to_ralph_land_in_clickhouse(settings):
    batch = [statement(n) for n in range(25)]
    summary = post_statements(settings, batch, batch_size=10)
    assert (summary.sent, summary.stored, summary.rejected) == (25, 25, [])
    assert stored(settings, [s["id"] for s in batch]) == 25
    event = connect(settings).command(
        "SELECT event FROM xapi.xapi_events_all WHERE event_id = {id:UUID}", parameters={"id": batch[0]["id"]}
    )
    assert '"registered"' in event


def test_malformed_statement_is_refused_with_4xx(settings):
    bad = statement(verb={"display": {"en": "no id"}})
    response = requests.post(
        f"{settings.ralph_url}/xAPI/statements",
        json=[bad],
        auth=(settings.ralph_loader_username, settings.ralph_loader_password),
    )
    assert 400 <= response.status_code < 500
    assert stored(settings, [bad["id"]]) == 0


def test_malformed_statement_does_not_lose_the_rest_of_its_batch(settings):
    batch = [statement(n) for n in range(5)]
    batch[2] = statement(2, actor={"objectType": "Agent"})  # an actor with no identifier
    summary = post_statements(settings, batch, batch_size=100)
    assert summary.stored == 4
    assert [statement_id for statement_id, _ in summary.rejected] == [batch[2]["id"]]
    assert stored(settings, [s["id"] for s in batch]) == 4


def test_lrs_requires_credentials(settings):
    response = requests.post(f"{settings.ralph_url}/xAPI/statements", json=[statement()])
    assert response.status_code == 401
    wrong = requests.post(f"{settings.ralph_url}/xAPI/statements", json=[statement()],
                          auth=(settings.ralph_loader_username, "wrong"))
    assert wrong.status_code == 401


def test_same_statement_sent_twice_counts_once(settings):
    batch = [statement(n) for n in range(10)]
    first = post_statements(settings, batch)
    again = post_statements(settings, batch)
    assert first.stored == 10 and again.stored == 0 and again.already_stored == 10
    assert stored(settings, [s["id"] for s in batch]) == 10
    assert rows(settings, [s["id"] for s in batch]) == 10


def test_bulk_replay_counts_once(settings):
    batch = [statement(n) for n in range(1000)]
    ids = [s["id"] for s in batch]
    bulk_insert(settings, batch, batch_size=300)
    bulk_insert(settings, batch, batch_size=300)
    assert stored(settings, ids) == 1000
    assert rows(settings, ids) == 1000


@pytest.mark.parametrize("bad, problem", [
    ({"id": "0f0e0d0c-0000-4000-8000-\t00000000001"}, "is not a UUID"),
    ({"id": "not-a-uuid"}, "is not a UUID"),
    ({"timestamp": None}, "timestamp None is missing"),
    ({"timestamp": "2026-11-01\t10:00"}, "is missing or not a plain date"),
])
def test_bulk_bad_row_is_named_and_earlier_batches_reported(settings, bad, problem):
    batch = [statement(n) for n in range(5)]
    batch[3].update(bad)
    with pytest.raises(BadStatementError) as raised:
        bulk_insert(settings, batch, batch_size=2)
    message = str(raised.value)
    assert message.startswith("statement 4") and problem in message
    assert "the 2 statements before that batch were" in message
    assert stored(settings, [s["id"] for s in batch[:2]]) == 2


class Interrupted(Exception):
    pass


def interrupted_after(items, count):
    for n, item in enumerate(items):
        if n == count:
            raise Interrupted
        yield item


@pytest.mark.parametrize("load", [post_statements, bulk_insert], ids=["lrs", "bulk"])
def test_interrupted_load_rerun_does_not_double_count(settings, load):
    batch = [statement(n) for n in range(120)]
    with pytest.raises(Interrupted):
        load(settings, interrupted_after(batch, 70), batch_size=25)
    assert 0 < stored(settings, [s["id"] for s in batch]) < 120
    load(settings, batch, batch_size=25)
    assert stored(settings, [s["id"] for s in batch]) == 120
    assert rows(settings, [s["id"] for s in batch]) == 120


def test_each_account_reads_only_its_own_statements(settings):
    """Ralph restricts by authority and scopes: the loader cannot read what the LMS sent, and vice versa."""
    lms = (settings.ralph_lms_username, settings.ralph_lms_password)
    loader = (settings.ralph_loader_username, settings.ralph_loader_password)
    mine = statement()
    sent = requests.post(f"{settings.ralph_url}/xAPI/statements", json=[mine], auth=lms, timeout=30)
    assert sent.status_code == 200, sent.text

    def read(auth) -> list[dict]:
        response = requests.get(f"{settings.ralph_url}/xAPI/statements", params={"statementId": mine["id"]},
                                auth=auth, timeout=30)
        if response.status_code == 404:
            return []
        assert response.status_code == 200, response.text
        body = response.json()
        return body.get("statements", [body] if "id" in body else [])

    own = read(lms)
    assert [s["id"] for s in own] == [mine["id"]]
    assert own[0]["authority"]["mbox"].startswith(f"mailto:{settings.ralph_lms_username}@")
    assert read(loader) == []


def test_same_id_with_other_content_is_refused_and_reported(settings):
    """A statement id is the statement: re-sending it with other content is a conflict, not an update."""
    first = statement(7)
    assert post_statements(settings, [first]).stored == 1
    changed = {**first, "verb": {"id": "http://adlnet.gov/expapi/verbs/unregistered", "display": {"en": "unregistered"}}}
    other = statement(8)
    summary = post_statements(settings, [changed, other])
    assert summary.stored == 1
    assert [statement_id for statement_id, _ in summary.rejected] == [first["id"]]
    assert rows(settings, [first["id"]]) == 1
    event = connect(settings).command("SELECT event FROM xapi.xapi_events_all FINAL WHERE event_id = {i:UUID}",
                                      parameters={"i": first["id"]})
    assert "unregistered" not in event
