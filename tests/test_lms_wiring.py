"""What the plugin changes in the LMS: settings, the route to Ralph, the backfill command.

The LMS cannot run here (it is the one part mocked out): these tests check what
Tutor renders for it and the command lines it would run in the LMS container.
"""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

from tutoraspects.lms_commands import transform_tracking_logs
from conftest_render import load_aspects_plugin


@pytest.fixture(scope="module")
def rendered(stack):
    from tutor import config as tutor_config, env as tutor_env, hooks

    load_aspects_plugin()
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
    # the password from the LMS settings, never in the task Tutor prints
    assert "password=settings.ASPECTS_LMS_INIT_SECRETS['ralph_password']" in lms
    assert config["RALPH_LMS_PASSWORD"] not in lms
    assert "update_or_create" in lms  # re-running init keeps one route
    for script in shell_scripts(lms):
        compile(script, "lms.sh", "exec")


def shell_scripts(task: str) -> list[str]:
    """The Python of each `./manage.py lms shell -c "..."` in a task."""
    return [part.split('\n"', 1)[0] for part in task.split('shell -c "')[1:]]


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


# ----------------------------------------------------------- the event sink


def _settings_namespace(text: str) -> dict:
    """Executes the Aspects part of a rendered LMS/CMS settings file (the rest needs edx-platform)."""
    start = text.index("# Aspects event sink")
    end = text.find("\n\n", start)
    namespace: dict = {}
    exec(text[start:end if end > 0 else None], namespace)
    return namespace


@pytest.mark.parametrize("service", ["lms", "cms"])
def test_lms_and_studio_write_the_event_sink_as_the_sink_user(stack, service):
    config = stack.root.user_config()
    from tutor import config as tutor_config

    full = tutor_config.load(str(stack.root.path))
    text = (stack.root.path / f"env/apps/openedx/settings/{service}/production.py").read_text()
    ns = _settings_namespace(text)
    backend = ns["EVENT_SINK_CLICKHOUSE_BACKEND_CONFIG"]
    assert backend["url"] == f"http://{full['CLICKHOUSE_HOST']}:{full['CLICKHOUSE_HTTP_PORT']}"
    assert (backend["username"], backend["password"]) == (full["CLICKHOUSE_SINK_USER"], full["CLICKHOUSE_SINK_PASSWORD"])
    assert backend["database"] == full["ASPECTS_EVENT_SINK_DATABASE"]
    assert ns["EVENT_SINK_CLICKHOUSE_COURSE_OVERVIEWS_ENABLED"] is True
    assert ns["EVENT_SINK_CLICKHOUSE_COURSE_ENROLLMENT_ENABLED"] is True
    # PII is off by default: no profiles, no actor ids linking statements to users
    assert config.get("ASPECTS_ENABLE_PII", False) is False
    assert ns["EVENT_SINK_CLICKHOUSE_USER_PROFILE_ENABLED"] is False
    assert ns["EVENT_SINK_CLICKHOUSE_EXTERNAL_ID_ENABLED"] is False
    assert ns["EVENT_SINK_CLICKHOUSE_PII_MODELS"] == ["user_profile", "external_id"]


def test_openedx_image_installs_the_pinned_plugin(stack):
    dockerfile = (stack.root.path / "env/build/openedx/Dockerfile").read_text()
    assert 'pip install --ignore-requires-python "platform-plugin-aspects==2.1.0"' in dockerfile


def test_studio_init_task_backfills_the_course_structure(rendered):
    _, tasks = rendered
    assert "./manage.py cms dump_data_to_clickhouse --object course_overviews" in tasks["cms"]


def test_dump_sink_runs_each_object_where_it_lives():
    from tutoraspects.lms_commands import dump_event_sink

    result = CliRunner().invoke(dump_event_sink, ["--object", "course_overviews", "--object", "user_profile",
                                                  "--force"], standalone_mode=False)
    assert result.exception is None, result.output
    commands = {service: shlex.split(command) for service, command in result.return_value}
    assert commands["cms"][:5] == ["./manage.py", "cms", "dump_data_to_clickhouse", "--object", "course_overviews"]
    assert commands["lms"][:5] == ["./manage.py", "lms", "dump_data_to_clickhouse", "--object", "user_profile"]
    assert "--force" in commands["cms"]
    everything = CliRunner().invoke(dump_event_sink, [], standalone_mode=False).return_value
    assert {shlex.split(c)[4] for _, c in everything} >= {"course_overviews", "course_enrollment", "external_id"}


def test_check_sink_runs_the_check_script_in_the_lms():
    """`tutor local do aspects-check-sink`: the check (tested against the real plugin in
    test_event_sink_check.py) is passed whole to the LMS's Django shell, with every sink object."""
    from tutoraspects.event_sink import sink_check
    from tutoraspects.lms_commands import SINK_OBJECTS, check_event_sink

    result = CliRunner().invoke(check_event_sink, [], standalone_mode=False)
    assert result.exception is None, result.output
    ((service, command),) = result.return_value
    args = shlex.split(command)
    assert (service, args[:4]) == ("lms", ["./manage.py", "lms", "shell", "-c"])
    script = args[4]
    assert script.startswith(open(sink_check.__file__).read())
    assert script.rstrip().endswith(f"sys.exit(main({list(SINK_OBJECTS)!r}))")
    compile(script, "aspects-check-sink", "exec")


def test_lms_init_task_creates_superset_sign_in_application(rendered):
    """Superset signs people in through the LMS: its OAuth2 application, idempotent (--update); not
    without sign-in through the LMS (the embedded stack this test renders from)."""
    from tutor import env as tutor_env, hooks

    config, tasks = rendered
    assert "create_dot_application" not in tasks["lms"]
    task = dict(hooks.Filters.CLI_DO_INIT_TASKS.iterate())["lms"]
    lms = tutor_env.render_str({**config, "SUPERSET_LMS_SIGN_IN": True}, task)
    # created or updated (idempotent), through the models: create_dot_application logs the secret
    application = shell_scripts(lms)[1]
    assert "Application.objects.update_or_create(" in application
    assert f"client_id='{config['SUPERSET_OAUTH2_CLIENT_ID']}'" in application
    assert "client_secret=settings.ASPECTS_LMS_INIT_SECRETS['superset_oauth2_client_secret']" in application
    assert config["SUPERSET_OAUTH2_CLIENT_SECRET"] not in lms
    assert "GRANT_AUTHORIZATION_CODE" in application and "skip_authorization=True" in application
    assert "/oauth-authorized/openedx'" in application and "scopes=['user_id']" in application
    compile(application, "lms.sh", "exec")


def test_studio_in_context_dashboards_are_the_ones_superset_has(stack):
    """Studio's in-context metrics (platform-plugin-aspects): each block type's dashboard by its uuid, and the filters
    the plugin sets exist there, on course_key and block_id, which every chart's dataset has."""
    from tutoraspects.superset.assets import dashboard_chart_uuids, load_tree

    tree = load_tree()
    dashboards, charts, datasets = tree.by_uuid("dashboards"), tree.by_uuid("charts"), tree.by_uuid("datasets")
    for service in ("lms", "cms"):
        text = (stack.root.path / f"env/apps/openedx/settings/{service}/production.py").read_text()
        assert "ASPECTS_ENABLE_STUDIO_IN_CONTEXT_METRICS = True" in text
        line = next(line for line in text.splitlines() if line.startswith("ASPECTS_IN_CONTEXT_DASHBOARDS = "))
        namespace: dict = {}
        exec(line, namespace)
        in_context = namespace["ASPECTS_IN_CONTEXT_DASHBOARDS"]
        assert set(in_context) == {"course", "sequential", "problem", "video"}
        for block_type, entry in in_context.items():
            dashboard = dashboards[entry["uuid"]].config
            assert dashboard["slug"] == entry["slug"]
            filters = {f["id"]: f for f in dashboard["metadata"]["native_filter_configuration"]}
            for filter_id, column in [*((i, "course_key") for i in entry["course_filter_ids"]),
                                      *((i, "block_id") for i in entry["block_filter_ids"])]:
                assert filters[filter_id]["targets"][0]["column"]["name"] == column
            assert bool(entry["block_filter_ids"]) == (block_type != "course")
            columns = {"course_key", "block_id"} if entry["block_filter_ids"] else {"course_key"}
            for uuid in dashboard_chart_uuids(dashboard):
                dataset = datasets[charts[uuid].config["dataset_uuid"]].config
                assert columns <= {c["column_name"] for c in dataset["columns"]}, (block_type, charts[uuid].name)
