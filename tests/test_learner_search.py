"""Find a learner by name or email on the Individual Learner dashboard (PII on, as `aspects demo` runs).

The Learner filter cascades from the Learner Name and Learner Email filters: typing part of a name
or email narrows the usernames offered. These tests send Superset the queries its filters send
(the options of a filter, narrowed by its parent's value or search text) and compare the answer
with the event sink's profiles, read independently of the marts.
"""

from __future__ import annotations

import pytest

from tutoraspects.clickhouse_client import connect
from tutoraspects.superset.assets import load_tree

DASHBOARD = "individual_learner"


@pytest.fixture(scope="module")
def filters():
    dashboard = next(d for d in load_tree().of("dashboards") if d.config["slug"] == DASHBOARD)
    return {f["id"]: f for f in dashboard.config["metadata"]["native_filter_configuration"]}


@pytest.fixture(scope="module")
def people(settings_):
    """username -> (name, email) of every learner with a profile, from the event sink as the LMS wrote it."""
    client = connect(settings_)
    try:
        rows = client.query(f"SELECT username, name, email FROM `{settings_.event_sink_database}`.user_profile FINAL "
                            "WHERE name != ''").result_rows
    finally:
        client.close()
    return {username: (name, email) for username, name, email in rows}


def options(client, dataset_id: int, column: str, filters: list[dict]) -> set[str]:
    """The values a select filter offers, as Superset asks for them."""
    query = {"datasource": {"id": dataset_id, "type": "table"}, "force": True, "result_format": "json",
             "result_type": "full",
             "queries": [{"columns": [column], "metrics": [], "filters": filters, "row_limit": 1000}]}
    return {row[column] for row in client.request("POST", "/api/v1/chart/data", json=query)["result"][0]["data"]}


def test_learner_filter_cascades_from_name_and_email(filters):
    learner = filters["NATIVE_FILTER-learner"]
    assert learner["cascadeParentIds"] == ["NATIVE_FILTER-name", "NATIVE_FILTER-email"]
    for parent, column in (("NATIVE_FILTER-name", "name"), ("NATIVE_FILTER-email", "email")):
        target = filters[parent]["targets"][0]
        assert target == {"column": {"name": column}, "datasetUuid": learner["targets"][0]["datasetUuid"]}
        assert filters[parent]["controlValues"]["searchAllOptions"]  # search the server, not the first 1,000


def test_a_name_or_part_of_an_email_finds_the_learner(client, filters, people):
    assert people, "the demo data has learners with profiles"
    datasets = {row["uuid"]: row["id"] for row in client.list("dataset")}
    dataset = datasets[filters["NATIVE_FILTER-learner"]["targets"][0]["datasetUuid"]]
    enrolled = options(client, dataset, "username", [])
    learners = sorted(username for username in people if username in enrolled)
    # one learner, and two who share a name (the demo data, like life, has namesakes)
    names = [name for name, _ in people.values()]
    namesakes = [username for username in learners if names.count(people[username][0]) > 1][:1]
    for username in learners[:2] + namesakes:
        name, email = people[username]
        # a name picked in Learner Name: the Learner filter offers every enrolled learner of that name
        same_name = {other for other in learners if people[other][0] == name}
        assert username in same_name
        assert options(client, dataset, "username", [{"col": "name", "op": "IN", "val": [name]}]) == same_name
        # part of an email typed in Learner Email: the filter finds it, then the Learner filter follows
        part = email.split("@")[0]
        assert email in options(client, dataset, "email", [{"col": "email", "op": "ILIKE", "val": f"%{part}%"}])
        assert options(client, dataset, "username", [{"col": "email", "op": "IN", "val": [email]}]) == {username}
