"""Retiring a learner: their rows removed from every table ClickHouse keeps them in.

xAPI statements name a learner only by an anonymous actor id (their LMS
external id of type `xapi`); the event sink names them by user id and
username, and `event_sink.external_id` links the two. So the learner is
looked up there first; the operator can also give the actor ids, because the
LMS's own retirement (platform-plugin-aspects) deletes those links.

Tables are found by their columns, not by a list kept here, so a new mart
cannot be forgotten: every table of the xAPI, event-sink and reporting
databases with an actor id, user id or username column loses the learner's
rows, and the raw table loses their statements. Marts are then recomputed
(docs/access.md, "Retirement").
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterable

from clickhouse_connect.driver.binding import format_query_value, quote_identifier

from .clickhouse_client import connect
from .marts import refresh_now
from .migrations import variables
from .settings import Settings

Echo = Callable[[str], None]

# Learner columns, by what they hold: xAPI actor ids, LMS user ids, LMS usernames.
ACTOR_COLUMNS = ("actor_id", "external_user_id")
USER_ID_COLUMNS = ("user_id",)
USERNAME_COLUMNS = ("username",)
# Engines that hold no rows of their own: their source tables are cleaned instead.
NO_DATA_ENGINES = ("View", "MaterializedView", "LiveView", "WindowView", "Dictionary", "Distributed", "Merge")
# Where the raw statements name their actor (as the staging models read it, dbt/macros/xapi.sql).
RAW_ACTOR = "JSONExtractString(event, 'actor', 'account', 'name')"


class RetirementError(RuntimeError):
    """The learner cannot be retired as asked: the message says why and what to pass."""


@dataclasses.dataclass(frozen=True)
class Learner:
    """Every id one learner has in ClickHouse; never all empty."""

    user_ids: tuple[int, ...]
    usernames: tuple[str, ...]
    actor_ids: tuple[str, ...]

    @classmethod
    def given(cls, user_id: int | None, username: str | None, actor_ids: Iterable[str]) -> "Learner":
        return cls((user_id,) if user_id else (), (username,) if username else (), tuple(dict.fromkeys(actor_ids)))

    def describe(self) -> str:
        parts = [f"user id {', '.join(map(str, self.user_ids))}" if self.user_ids else "",
                 f"username {', '.join(self.usernames)}" if self.usernames else "",
                 f"{len(self.actor_ids)} xAPI actor id(s) {', '.join(self.actor_ids)}" if self.actor_ids else ""]
        return "; ".join(part for part in parts if part)

    def condition(self, columns: Iterable[str]) -> str:
        """A WHERE condition matching this learner's rows through those of `columns` that name a learner."""
        matches = []
        for column in columns:
            values = (self.actor_ids if column in ACTOR_COLUMNS else self.user_ids if column in USER_ID_COLUMNS
                      else self.usernames if column in USERNAME_COLUMNS else ())
            if values:  # an empty list must match nothing, never everything
                matches.append(f"{quote_identifier(column)} IN {_values(values)}")
        return " OR ".join(matches)


@dataclasses.dataclass
class RetirementSummary:
    learner: Learner
    removed: dict[str, int]  # table -> rows removed (as counted on this server)
    tables_checked: int
    views_refreshed: int
    warnings: list[str]

    def describe(self) -> str:
        return "\n".join([
            f"Retired {self.learner.describe()}: {sum(self.removed.values())} row(s) removed from "
            f"{len(self.removed)} of {self.tables_checked} table(s); {self.views_refreshed} mart(s) refreshed.",
            *(f"WARNING: {warning}" for warning in self.warnings),
        ])


def retire_user(settings: Settings, *, user_id: int | None = None, username: str | None = None,
                actor_ids: Iterable[str] = (), echo: Echo = print,
                confirm: Callable[[Learner], bool] | None = None) -> RetirementSummary | None:
    """Delete one learner's rows everywhere, then refresh the marts.

    `confirm` is asked once the learner is known; when it says no nothing is
    deleted and None is returned.
    """
    learner = find_learner(settings, user_id=user_id, username=username, actor_ids=actor_ids)
    warnings = []
    if not learner.actor_ids:
        warnings.append(
            f"no xAPI actor id is known for {learner.describe()} ({settings.event_sink_database}.external_id has "
            "none: the LMS fills it only with ASPECTS_ENABLE_PII, and its retirement deletes it), so their "
            "statements stay: run again with --actor-id")
    echo(f"Retiring {learner.describe()} ...")
    for warning in warnings:
        echo(f"WARNING: {warning}")
    if confirm is not None and not confirm(learner):
        echo("Nothing removed.")
        return None
    targets = _tables(settings)
    removed = _delete(settings, learner, targets, echo)
    echo("Refreshing the marts ...")
    views: dict[str, float] = {}
    refresh_now(settings, timings=views)
    # A scheduled refresh already running during the deletes may have written the learner back.
    for table, rows in _delete(settings, learner, targets, echo).items():
        removed[table] = removed.get(table, 0) + rows
    summary = RetirementSummary(learner, removed, len(targets), len(views), warnings)
    echo(summary.describe())
    return summary


def find_learner(settings: Settings, *, user_id: int | None = None, username: str | None = None,
                 actor_ids: Iterable[str] = ()) -> Learner:
    """The learner's user id, usernames and actor ids, from what is given and the event sink."""
    given = Learner.given(user_id, username, actor_ids)
    if user_id is None and username is None and not given.actor_ids:
        raise RetirementError("name the learner to retire: a user id, a username or their xAPI actor ids "
                              "(--user-id, --username, --actor-id)")
    if user_id is not None and (not isinstance(user_id, int) or user_id <= 0):
        raise RetirementError(f"user id must be a positive number, not {user_id!r}")
    if username is not None and not username.strip():
        raise RetirementError("username is empty")
    if any(not actor.strip() for actor in given.actor_ids):
        raise RetirementError("an actor id is empty")
    found = _sink_rows(settings, given)
    if not found and not given.actor_ids:
        raise RetirementError(
            f"no learner with {given.describe()} in {settings.event_sink_database}.course_enrollment, user_profile "
            "or external_id: check the id, or, if the LMS has already deleted their rows, pass their xAPI actor "
            "ids (--actor-id)")
    names_of_id = {row[1] for row in found if row[0] == user_id and row[1]}
    if user_id and username and names_of_id and username not in names_of_id:
        raise RetirementError(f"user id {user_id} is {', '.join(sorted(names_of_id))} in the event sink, "
                              f"not {username}: check which learner to retire")
    user_ids = sorted({*given.user_ids, *(row[0] for row in found if row[0])})
    if len(user_ids) > 1:
        raise RetirementError(f"{given.describe()} names more than one learner (user ids "
                              f"{', '.join(map(str, user_ids))}): retire them one at a time")
    return Learner(
        tuple(user_ids),
        tuple(sorted({*given.usernames, *(row[1] for row in found if row[1])})),
        tuple(sorted({*given.actor_ids, *(row[2] for row in found if row[2])})),
    )


def _sink_rows(settings: Settings, given: Learner) -> list[tuple[int, str, str]]:
    """(user_id, username, actor id or '') of every event-sink row naming the learner (any dump)."""
    sink = quote_identifier(settings.event_sink_database)
    by_user = given.condition(USER_ID_COLUMNS + USERNAME_COLUMNS)
    queries = [f"SELECT user_id, username, '' FROM {sink}.{table} WHERE {by_user}"
               for table in ("course_enrollment", "user_profile") if by_user]
    by_link = given.condition(("external_user_id", "user_id", "username"))
    queries.append(f"SELECT user_id, username, external_user_id FROM {sink}.external_id "
                   f"WHERE external_id_type = 'xapi' AND ({by_link})")
    client = connect(settings)
    try:
        return [tuple(row) for row in client.query(" UNION DISTINCT ".join(queries)).result_rows]
    finally:
        client.close()


@dataclasses.dataclass(frozen=True)
class _Target:
    database: str
    name: str
    columns: tuple[str, ...]  # learner columns; empty for the raw table
    lightweight: bool  # DELETE FROM; else a mutation (ALTER TABLE ... DELETE)

    @property
    def table(self) -> str:
        return f"{quote_identifier(self.database)}.{quote_identifier(self.name)}"

    def condition(self, learner: Learner) -> str:
        if self.columns:
            return learner.condition(self.columns)
        return f"{RAW_ACTOR} IN {_values(learner.actor_ids)}" if learner.actor_ids else ""


def _tables(settings: Settings) -> list[_Target]:
    """The raw table, then every table with a learner column: xAPI, event sink, reporting (staging, marts)."""
    databases = [settings.xapi_database, settings.event_sink_database, settings.reporting_database]
    client = connect(settings)
    try:
        rows = client.query(
            "SELECT t.database, t.name, groupArray(c.name), "
            "t.engine LIKE '%MergeTree' AND (t.database, t.name) NOT IN "
            "(SELECT database, table FROM system.projections) "
            "FROM system.tables AS t JOIN system.columns AS c ON c.database = t.database AND c.table = t.name "
            "WHERE t.database IN {dbs:Array(String)} AND t.engine NOT IN {views:Array(String)} "
            "AND c.name IN {columns:Array(String)} "
            # a refresh's table being filled: swapped in or dropped when it ends (the second pass follows it)
            "AND NOT startsWith(t.name, '.tmp.') "
            "GROUP BY t.database, t.name, t.engine ORDER BY indexOf({dbs:Array(String)}, t.database), t.name",
            parameters={"dbs": databases, "views": list(NO_DATA_ENGINES),
                        "columns": [*ACTOR_COLUMNS, *USER_ID_COLUMNS, *USERNAME_COLUMNS]},
        ).result_rows
    finally:
        client.close()
    # on a cluster, the shards' local tables (a Distributed table takes no DELETE), ON CLUSTER
    raw = _Target(settings.xapi_database, settings.raw_xapi_local_table, (), True)
    return [raw, *(_Target(db, name, tuple(sorted(columns)), bool(lightweight))
                   for db, name, columns, lightweight in rows)]


def _delete(settings: Settings, learner: Learner, targets: list[_Target], echo: Echo) -> dict[str, int]:
    """Delete the learner's rows from each table; rows removed per table that had any."""
    on_cluster = variables(settings)["ON_CLUSTER"]
    removed = {}
    client = connect(settings)
    try:
        for target in targets:
            condition = target.condition(learner)
            if not condition:
                continue
            rows = int(client.command(f"SELECT count() FROM {target.table} WHERE {condition}"))
            # On a cluster this server may hold one shard only: delete everywhere regardless.
            if not rows and not on_cluster:
                continue
            if target.lightweight:
                client.command(f"DELETE FROM {target.table} {on_cluster} WHERE {condition} "
                               "SETTINGS lightweight_deletes_sync = 2")
            else:
                client.command(f"ALTER TABLE {target.table} {on_cluster} DELETE WHERE {condition} "
                               "SETTINGS mutations_sync = 2")
            echo(f"  {target.database}.{target.name}: {rows} row(s) removed")
            if rows:
                removed[f"{target.database}.{target.name}"] = rows
    finally:
        client.close()
    return removed


def _values(values: Iterable) -> str:
    return "(" + ", ".join(str(format_query_value(value)) for value in values) + ")"
