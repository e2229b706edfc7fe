"""The embedded ClickHouse server: a real server, and clear errors when it cannot start."""

from __future__ import annotations

import importlib.metadata
import re
import socket

import pytest

from tutoraspects import clickhouse_client
from tutoraspects.embedded import clickhouse_server
from tutoraspects.embedded.clickhouse_server import ClickHouseServer, ClickHouseServerError, free_port


def test_server_is_real_clickhouse_26_9(stack, settings):
    client = clickhouse_client.connect(settings)
    assert client.command("SELECT version()").startswith("26.9.")
    assert stack.clickhouse.ping()


def test_native_tcp_port_answers(settings):
    from clickhouse_driver import Client

    client = Client(
        settings.clickhouse_host,
        port=settings.clickhouse_tcp_port,
        user=settings.admin_user,
        password=settings.admin_password,
    )
    assert client.execute("SELECT 1 + 1") == [(2,)]


def _server(stack, tmp_path, http_port=None, **overrides):
    """A second server on its own ports: a copy of the session's config files."""
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    source = stack.root.clickhouse_config_dir
    (config_dir / "users.xml").write_text((source / "users.xml").read_text())
    config = (source / "config.xml").read_text()
    config = re.sub(r"<http_port>\d+<", f"<http_port>{http_port or free_port()}<", config)
    config = re.sub(r"<tcp_port>\d+<", f"<tcp_port>{free_port()}<", config)
    (config_dir / "config.xml").write_text(config)
    options = dict(config_dir=config_dir, data_dir=tmp_path / "data", log_file=tmp_path / "clickhouse.log")
    options.update(overrides)
    return ClickHouseServer(**options)


def test_port_taken_is_reported(stack, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ClickHouseServerError, match=f"HTTP port 127.0.0.1:{port} is already in use"):
            _server(stack, tmp_path, http_port=port).start()


def test_locked_data_folder_is_reported(stack, tmp_path):
    # The session's server holds its data folder.
    server = _server(stack, tmp_path, data_dir=stack.root.data_dir("clickhouse"))
    with pytest.raises(ClickHouseServerError, match="locked by another ClickHouse server"):
        server.start()


def test_missing_wheel_is_reported(monkeypatch, stack, tmp_path):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(clickhouse_server.importlib.metadata, "version", not_installed)
    with pytest.raises(ClickHouseServerError, match=r"pip install --no-deps chdb-core==26\.9\.0"):
        _server(stack, tmp_path).start()


def test_missing_config_is_reported(stack, tmp_path):
    with pytest.raises(ClickHouseServerError, match="config.xml is missing"):
        _server(stack, tmp_path, config_dir=tmp_path / "empty").start()


def test_data_survives_restart_and_stop_is_clean(stack, tmp_path):
    import clickhouse_connect

    settings = stack.settings
    server = _server(stack, tmp_path)
    with server:
        client = clickhouse_connect.get_client(
            host="127.0.0.1", port=server.http_port,
            username=settings.admin_user, password=settings.admin_password,
        )
        client.command("CREATE TABLE default.kept (n UInt32) ENGINE = MergeTree ORDER BY n")
        client.command("INSERT INTO default.kept SELECT number FROM numbers(10)")
    assert server.returncode is not None
    assert not server.ping()
    with server:
        client = clickhouse_connect.get_client(
            host="127.0.0.1", port=server.http_port,
            username=settings.admin_user, password=settings.admin_password,
        )
        assert client.command("SELECT sum(n) FROM default.kept") == 45
