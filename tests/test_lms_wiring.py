"""What the plugin changes in the LMS: settings, the route to Ralph, the backfill command.

The LMS cannot run here (it is the one part mocked out): these tests check what
Tutor renders for it and the command lines it would run in the LMS container.
"""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

from tutoraspects.lms_commands import transform_tracking_logs


@pytest.fixture(scope="module")
def rendered(stack):
    from tutor import config as tutor_config, env as tutor_env, hooks, plugins

    if not plugins.is_loaded("aspects"):
        hooks.Actions.CORE_READY.do()  # discovers installed plugins, as the tutor CLI does
        plugins.load("aspects")
    config = tutor_config.load(str(stack.root.path))
    tasks = dict(hooks.Filters.CLI_DO_INIT_TASKS.iterate())
    return config, {service: tutor_env.render_str(config, task) for service, task in tasks.items()}


def test_lms_settings_enable_batched_xapi(stack):
    settings = (stack.root.path / "env/apps/openedx/settings/lms/production.py").read_text()
    assert "XAPI_EVENTS_ENABLED = True" in settings
    assert "EVENT_ROUTING_BACKEND_BATCHING_ENABLED = True" in settings
    assert "EVENT_ROUTING_BACKEND_BATCH_SIZE = 100" in settings


def test_lms_init_task_routes_xapi_to_ralph(rendered):
    config, tasks = rendered
    lms = tasks["lms"]
    assert f"route_url='http://{config['RALPH_HOST']}:{config['RALPH_PORT']}/xAPI/'" in lms
    assert f"username='{config['RALPH_LMS_USERNAME']}'" in lms
    assert f"password='{config['RALPH_LMS_PASSWORD']}'" in lms
    assert "update_or_create" in lms  # re-running init keeps one route


def test_aspects_init_task_runs_the_init_steps(rendered):
    _, tasks = rendered
    assert "aspects --settings /etc/aspects/settings.yml init" in tasks["aspects"]


def test_transform_tracking_logs_builds_the_lms_command():
    result = CliRunner().invoke(
        transform_tracking_logs, ["--batch-size", "500", "--dry-run", "--transformer_type", "xapi"],
        standalone_mode=False,
    )
    assert result.exception is None, result.output
    [(service, command)] = result.return_value
    assert service == "lms"
    args = shlex.split(command)
    assert args[:3] == ["./manage.py", "lms", "transform_tracking_logs"]
    assert args[args.index("--destination_provider") + 1] == "LRS"
    assert args[args.index("--batch_size") + 1] == "500"
    assert "--dry_run" in args
    assert '"prefix": "tracking.log"' in args[args.index("--source_config") + 1]
