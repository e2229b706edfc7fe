"""dbt in cluster mode: every table, view and materialized view dbt creates is created ON CLUSTER, every
table with a Replicated engine (dbt/macros/cluster.sql), and the staging views read the shards' local raw
table (the raw_xapi_table var tutoraspects.dbt_runner sets on a cluster).

The embedded server has no Keeper, so it cannot run ON CLUSTER DDL. The real dbt, with the profile and vars
tutoraspects.dbt_runner writes in cluster mode, talks to the real server through a recording proxy: the
proxy keeps every statement as dbt sent it and forwards it with the cluster parts taken out (ON CLUSTER,
the Replicated prefix, clusterAllReplicas(...)), so the run goes on as it would on a cluster; the test then
checks what dbt sent.
"""

from __future__ import annotations

import http.client
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tutoraspects import migrations
from tutoraspects.clickhouse_client import connect
from tutoraspects.dbt_runner import run_dbt

from test_migrations import statements

CLUSTER = "analytics"
NAME = rf"(['\"`]?){CLUSTER}\1"
# what a single server cannot run, and what it runs instead
SINGLE_SERVER = [
    (re.compile(rf"\s+ON\s+CLUSTER\s+{NAME}", re.IGNORECASE), " "),
    (re.compile(r"\bReplicated(\w*MergeTree)\b"), r"\1"),
    (re.compile(rf"\bcluster(?:AllReplicas)?\(\s*{NAME}\s*,\s*([\w.]+)\s*\)", re.IGNORECASE), r"\2"),
    # dbt-clickhouse's list of relations counts the shards a table is on
    (re.compile(r"count\(distinct _shard_num\)", re.IGNORECASE), "0"),
]
SCRATCH = {"meta_database": "ccheck_meta", "xapi_database": "ccheck_xapi", "event_sink_database": "ccheck_sink",
           "reporting_database": "ccheck_reporting"}


def single_server(sql: str) -> str:
    for pattern, replacement in SINGLE_SERVER:
        sql = pattern.sub(replacement, sql)
    return sql


class RecordingProxy:
    """An HTTP proxy in front of ClickHouse that records each query and forwards it for a single server."""

    def __init__(self, host: str, port: int):
        self.sent: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.forward()

            def do_POST(self):
                self.forward()

            def forward(self):
                url = urlsplit(self.path)
                params = parse_qsl(url.query, keep_blank_values=True)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if any(key == "query" for key, _ in params):  # the body is data
                    params = [(key, proxy.record(value) if key == "query" else value) for key, value in params]
                elif body:
                    assert not self.headers.get("Content-Encoding"), "a compressed query cannot be read"
                    body = proxy.record(body.decode()).encode()
                headers = {key: value for key, value in self.headers.items()
                           if key.lower() not in ("host", "content-length", "connection")}
                upstream = http.client.HTTPConnection(host, port, timeout=600)
                try:
                    upstream.request(self.command, url.path + ("?" + urlencode(params) if params else ""),
                                     body=body if self.command == "POST" else None, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                finally:
                    upstream.close()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, sql: str) -> str:
        self.sent.append(sql)
        return single_server(sql)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def drop_scratch(settings):
    client = connect(settings)
    for database in SCRATCH.values():
        client.command(f"DROP DATABASE IF EXISTS {database} SYNC")


@pytest.fixture(scope="module")
def dbt_on_cluster(settings, tmp_path_factory):
    """The DDL dbt sends in cluster mode, building the whole project on scratch databases laid out by the
    cluster-mode migrations (all but the Distributed raw table, which needs the cluster's servers)."""
    drop_scratch(settings)
    connect(settings).command(f"CREATE DATABASE {SCRATCH['meta_database']}")  # as the migrations library does
    proxy = RecordingProxy(settings.clickhouse_host, settings.clickhouse_http_port)
    cluster = settings.with_overrides(cluster_name=CLUSTER, clickhouse_http_port=proxy.port,
                                      mart_refresh_seconds=86400, **SCRATCH)
    try:
        client = connect(cluster)
        for sql in migrations.render(cluster).values():
            for statement in statements(sql):
                if "ENGINE = Distributed" not in statement:
                    client.command(statement)
        proxy.sent.clear()
        output: list[str] = []
        run_dbt(cluster, ["run"], echo=output.append, work_dir=tmp_path_factory.mktemp("dbt-cluster"))
        yield proxy.sent, output
    finally:
        proxy.close()
        drop_scratch(settings)


LEADING_COMMENTS = re.compile(r"^\s*(/\*.*?\*/\s*|--[^\n]*\n\s*)*", re.DOTALL)


def creates(sent: list[str]) -> list[str]:
    """Every CREATE dbt sent (its query comment taken off), but the scratch tables dbt-clickhouse creates and
    drops on connecting to check that the server can EXCHANGE TABLES (in the default database, not the schema)."""
    statements = (" ".join(LEADING_COMMENTS.sub("", sql).split()) for sql in sent)
    return [sql for sql in statements if re.match(r"create\s", sql, re.IGNORECASE) and "__dbt_exchange_test_" not in sql]


def created_name(statement: str) -> str:
    match = re.match(r"create (?:or replace )?(?:table|view|materialized view)(?: if not exists)? "
                     r"`?(\w+)`?\.`?(\w+)`?", statement, re.IGNORECASE)
    assert match, statement
    return f"{match.group(1)}.{match.group(2)}"


def test_every_model_is_created_on_the_cluster(dbt_on_cluster):
    from test_dbt_docs import MODELS_DIR

    sent, output = dbt_on_cluster
    ddl = creates(sent)
    assert ddl, output
    not_on_cluster = [statement[:120] for statement in ddl if f'ON CLUSTER "{CLUSTER}"' not in statement]
    assert not not_on_cluster
    created = {created_name(statement).split(".", 1)[1] for statement in ddl}
    models = {path.stem for path in MODELS_DIR.rglob("*.sql")}
    assert models <= created, sorted(models - created)


def test_every_table_is_replicated(dbt_on_cluster):
    sent, _ = dbt_on_cluster
    tables = [statement for statement in creates(sent) if re.match(r"create table", statement, re.IGNORECASE)]
    assert tables
    engines = {created_name(statement): re.search(r"\bengine = (\w+)", statement, re.IGNORECASE).group(1)
               for statement in tables}
    assert {engine for engine in engines.values() if not re.fullmatch(r"Replicated\w*MergeTree", engine)} == set()
    # the staging tables keep a statement stored twice once, on each replica
    assert {engines[name] for name in engines if ".stg_" in name and "sink" not in name} == \
        {"ReplicatedReplacingMergeTree"}


def test_staging_views_read_the_local_raw_table(dbt_on_cluster):
    """An insert into the Distributed raw table lands in a shard's local table: that is what triggers the
    staging materialized views."""
    sent, _ = dbt_on_cluster
    views = [statement for statement in creates(sent) if re.match(r"create materialized view", statement, re.I)
             and SCRATCH["xapi_database"] in statement]
    assert len(views) >= 7
    for view in views:
        assert re.search(rf"`?{SCRATCH['xapi_database']}`?\.`?xapi_events_all_local`?", view), view[:200]
        assert not re.search(rf"`?{SCRATCH['xapi_database']}`?\.`?xapi_events_all`?(?!_local)", view), view[:200]
