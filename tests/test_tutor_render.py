"""What `tutor config save` renders with the aspects plugin, checked with the real tools.

Each scenario is one temporary Tutor root rendered by the real `tutor` CLI
(`plugins enable aspects`, then `config save`). The Docker Compose files are
validated by the Docker Compose v2 binary, the Kubernetes manifests by
`kubernetes-validate --strict` (and the kustomization by `kubectl kustomize`
when kubectl is installed); the tests then check what the services get.
"""

from __future__ import annotations

import hashlib
import base64
import json
import re
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import xml.etree.ElementTree as ElementTree

import bcrypt
import pytest
import yaml

from conftest_render import (
    RenderedRoot,
    compose,
    compose_model,
    find,
    k8s_documents,
    kubernetes_validate,
    kustomize,
    load_aspects_plugin,
    names,
    plugin_facts,
    render_root,
    run,
    TUTOR,
)

REPO = Path(__file__).resolve().parent.parent
CLICKHOUSE_PASSWORDS = ("CLICKHOUSE_ADMIN_PASSWORD", "CLICKHOUSE_LRS_PASSWORD", "CLICKHOUSE_REPORT_PASSWORD")
RALPH_ACCOUNTS = (("lms", "RALPH_LMS_PASSWORD"), ("loader", "RALPH_LOADER_PASSWORD"))  # default usernames
SUPERSET_SERVICES = {"superset", "superset-worker"}


# --- scenarios: one `config save` each ------------------------------------------


@pytest.fixture(scope="module")
def facts():
    return plugin_facts()


SCENARIOS = {
    "default_root": (),
    # two shards of three replicas (the defaults are one of two), so that every loop of the templates runs
    "cluster_root": ("CLICKHOUSE_CLUSTER_NAME=analytics", "CLICKHOUSE_CLUSTER_SHARDS=2",
                     "CLICKHOUSE_CLUSTER_REPLICAS=3"),
    "no_superset_root": ("RUN_SUPERSET=false",),
}


@pytest.fixture(scope="module")
def roots(tmp_path_factory) -> dict[str, RenderedRoot]:
    """All scenarios, rendered side by side (each is two `tutor` processes)."""
    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        futures = {
            name: pool.submit(render_root, tmp_path_factory.mktemp(name), *settings)
            for name, settings in SCENARIOS.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def default_root(roots) -> RenderedRoot:
    return roots["default_root"]


@pytest.fixture(scope="module")
def cluster_root(roots) -> RenderedRoot:
    """A second install, in ClickHouse cluster mode."""
    return roots["cluster_root"]


@pytest.fixture(scope="module")
def no_superset_root(roots) -> RenderedRoot:
    return roots["no_superset_root"]


@pytest.fixture(scope="module", params=list(SCENARIOS))
def any_root(request) -> RenderedRoot:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def services(default_root) -> dict:
    return compose_model(default_root.compose_files())["services"]


@pytest.fixture(scope="module")
def k8s_docs(default_root) -> list[dict]:
    return k8s_documents(default_root.k8s_files())


def env_of(service: dict) -> dict:
    return service.get("environment") or {}


def mounts_of(service: dict) -> dict[str, dict]:
    """Bind mounts by container path."""
    return {volume["target"]: volume for volume in service.get("volumes", [])}


def container(doc: dict) -> dict:
    return doc["spec"]["template"]["spec"]["containers"][0]


# --- Docker Compose ---------------------------------------------------------------


def test_compose_files_validate(any_root):
    result = compose(any_root.compose_files(), "config", "-q")
    assert result.returncode == 0


def test_compose_validator_rejects_unknown_keys(default_root, tmp_path):
    """The validator bites: an unknown key in a service is an error."""
    broken = yaml.safe_load(default_root.text("local/docker-compose.yml"))
    broken["services"]["clickhouse"]["not_a_compose_key"] = 1
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    result = compose([path], "config", "-q", check=False)
    assert result.returncode != 0
    assert "not_a_compose_key" in result.stderr


def test_compose_services_present(services):
    assert {"clickhouse", "ralph", "superset", "superset-worker", "aspects-job", "superset-job"} <= set(services)


def test_clickhouse_service(default_root, services):
    clickhouse = services["clickhouse"]
    assert clickhouse["image"] == "clickhouse/clickhouse-server:26.9"
    mounts = mounts_of(clickhouse)
    config_xml = mounts["/etc/clickhouse-server/config.d/aspects.xml"]
    users_xml = mounts["/etc/clickhouse-server/users.xml"]
    assert Path(config_xml["source"]) == default_root.file("plugins/aspects/apps/clickhouse/config.xml")
    assert Path(users_xml["source"]) == default_root.file("plugins/aspects/apps/clickhouse/users.xml")
    assert config_xml["read_only"] and users_xml["read_only"]
    assert Path(config_xml["source"]).is_file() and Path(users_xml["source"]).is_file()
    assert Path(mounts["/var/lib/clickhouse"]["source"]) == default_root.path / "data" / "clickhouse"
    assert env_of(clickhouse)["CLICKHOUSE_SKIP_USER_SETUP"] == "1"
    assert clickhouse["ulimits"]["nofile"]["soft"] >= 262144
    assert clickhouse["restart"] == "unless-stopped"
    assert any("8123/ping" in part for part in clickhouse["healthcheck"]["test"])


def test_ralph_service_writes_as_the_lrs_user(default_root, services):
    config = default_root.config
    ralph = services["ralph"]
    env = env_of(ralph)
    assert ralph["command"][:2] == ["uvicorn", "ralph.api:app"]
    assert "8100" in ralph["command"]
    assert env["RALPH_RUNSERVER_BACKEND"] == "clickhouse"
    assert env["RALPH_BACKENDS__LRS__CLICKHOUSE__HOST"] == "clickhouse"
    assert env["RALPH_BACKENDS__LRS__CLICKHOUSE__PORT"] == "8123"
    assert env["RALPH_BACKENDS__LRS__CLICKHOUSE__DATABASE"] == "xapi"
    assert env["RALPH_BACKENDS__LRS__CLICKHOUSE__EVENT_TABLE_NAME"] == "xapi_events_all"
    assert env["RALPH_BACKENDS__LRS__CLICKHOUSE__USERNAME"] == "ch_lrs"
    assert env["RALPH_BACKENDS__LRS__CLICKHOUSE__PASSWORD"] == config["CLICKHOUSE_LRS_PASSWORD"]
    auth = mounts_of(ralph)[env["RALPH_AUTH_FILE"]]
    assert Path(auth["source"]) == default_root.file("plugins/aspects/apps/ralph/auth.json")
    assert auth["read_only"]
    assert any("/__heartbeat__" in part for part in ralph["healthcheck"]["test"])
    assert "clickhouse" in ralph["depends_on"]


def test_superset_services(default_root, services):
    for name in SUPERSET_SERVICES:
        service = services[name]
        env = env_of(service)
        # the rendered folder: superset_config.py and the security manager it imports from beside it
        mount = mounts_of(service)["/app/aspects"]
        assert Path(mount["source"]) == default_root.file("plugins/aspects/apps/superset")
        assert mount["read_only"]
        assert env["SUPERSET_CONFIG_PATH"] == "/app/aspects/superset_config.py"
        assert env["PYTHONPATH"].split(":")[0] == "/app/aspects"
        assert {"mysql", "redis"} <= set(service["depends_on"])
    assert services["superset"]["command"][0] == "gunicorn"
    assert "--bind=0.0.0.0:8088" in services["superset"]["command"]
    assert any("/health" in part for part in services["superset"]["healthcheck"]["test"])
    assert services["superset-worker"]["command"][0] == "celery"
    assert "worker" in services["superset-worker"]["command"]


def test_aspects_job_runs_the_init_task(default_root, services):
    job = services["aspects-job"]
    settings = mounts_of(job)["/etc/aspects/settings.yml"]
    assert Path(settings["source"]) == default_root.file("plugins/aspects/apps/aspects/settings.yml")
    assert settings["read_only"]
    # Tutor runs tasks as `sh -e -c "..."`: the image's `aspects` entrypoint must be bypassed.
    assert job["entrypoint"] == []
    assert "clickhouse" in job["depends_on"]
    task = (REPO / "tutoraspects/templates/aspects/jobs/init/aspects.sh").read_text()
    assert "--settings /etc/aspects/settings.yml" in task
    assert env_of(services["superset-job"])["SUPERSET_CONFIG_PATH"].startswith("/app/aspects/")
    assert "/app/aspects" in mounts_of(services["superset-job"])
    # The Superset init's secrets come from its env file, which no long-running service reads.
    assert env_of(services["superset-job"])["SUPERSET_ADMIN_PASSWORD"] == default_root.config["SUPERSET_ADMIN_PASSWORD"]
    assert not any("SUPERSET_ADMIN_PASSWORD" in env_of(service) for name, service in services.items()
                   if name != "superset-job")


def test_each_service_is_defined_once(default_root, services, k8s_docs, tmp_path):
    """Compose, Kubernetes and the embedded stack run the command, environment and health check of
    tutoraspects/services.py."""
    from tutoraspects import services as definitions
    from tutoraspects.embedded.ralph import ralph_service
    from tutoraspects.superset.service import superset_env, superset_web, superset_worker

    config = default_root.config
    ralph = definitions.ralph_command("0.0.0.0", 8100)
    web = definitions.superset_web_command("0.0.0.0", 8088)
    environment = definitions.superset_environment("/app/aspects")
    assert services["ralph"]["command"] == ralph == container(find(k8s_docs, "Deployment", "ralph"))["args"]
    assert services["superset"]["command"] == web == container(find(k8s_docs, "Deployment", "superset"))["args"]
    assert "--threads=1" in web
    worker = definitions.SUPERSET_WORKER_COMMAND
    assert services["superset-worker"]["command"] == worker == \
        container(find(k8s_docs, "Deployment", "superset-worker"))["args"]
    for name in ("superset", "superset-worker", "superset-job"):
        assert env_of(services[name]) | environment == env_of(services[name]), name
    for kind, name in (("Deployment", "superset"), ("Deployment", "superset-worker"), ("Job", "superset-job")):
        assert container(find(k8s_docs, kind, name))["env"] == definitions.k8s_env(environment), name
    for name, service in (("ralph", "ralph"), ("superset", "superset"), ("clickhouse", "clickhouse")):
        path = definitions.HEALTH_PATHS[name]
        assert any(path in part for part in services[service]["healthcheck"]["test"]), name
        assert container(find(k8s_docs, "Deployment", service))["readinessProbe"]["httpGet"]["path"] == path, name

    # The embedded stack: the same commands from its environments, the same health paths.
    apps = default_root.file("plugins/aspects/apps")
    bin_dir = tmp_path / "bin"
    embedded_ralph = ralph_service(apps, bin_dir, "127.0.0.1", 18100, tmp_path / "ralph.log")
    assert embedded_ralph.argv == [str(bin_dir / ralph[0]), *definitions.ralph_command("127.0.0.1", 18100)[1:]]
    assert embedded_ralph.health_url == f"http://127.0.0.1:18100{definitions.HEALTH_PATHS['ralph']}"
    env = superset_env(apps, bin_dir)
    assert env | definitions.superset_environment(apps / "superset") == env
    embedded_web = superset_web(bin_dir, env, "127.0.0.1", 18088, tmp_path / "superset.log")
    assert embedded_web.argv == [str(bin_dir / web[0]), *definitions.superset_web_command("127.0.0.1", 18088)[1:]]
    assert superset_worker(bin_dir, env, "", tmp_path / "w.log").argv[1:] == worker[1:]
    # One Superset init: the Tutor task runs the module the embedded stack calls.
    from tutor import config as tutor_config, env as tutor_env

    load_aspects_plugin()
    config = tutor_config.load(str(default_root.path))
    task = (REPO / "tutoraspects/templates/aspects/jobs/init/superset.sh").read_text()
    assert " ".join(definitions.SUPERSET_INIT_COMMAND) in tutor_env.render_str(config, task)
    assert definitions.SUPERSET_INIT_COMMAND[-1] == "tutoraspects.superset.metadata"


def test_web_proxy_routes_superset(default_root):
    caddyfile = default_root.text("apps/caddy/Caddyfile")
    assert re.search(r"superset\.\S+\{\$default_site_port\} \{\s+import proxy \"superset:8088\"", caddyfile)


# --- secrets ------------------------------------------------------------------------


def test_secrets_are_generated_and_saved(any_root, facts):
    config = any_root.config
    secrets = {key: config.get(key) for key in facts["unique"]}
    assert set(facts["unique"]) >= {*CLICKHOUSE_PASSWORDS, "RALPH_LMS_PASSWORD", "SUPERSET_SECRET_KEY",
                                    "SUPERSET_GUEST_TOKEN_SECRET"}
    for key, value in secrets.items():
        assert isinstance(value, str) and len(value) >= 24, key
        assert "{{" not in value, key
        assert value not in facts["default_values"], f"{key} equals a default value"
    assert len(set(secrets.values())) == len(secrets), "two secrets share a value"


def test_each_root_gets_its_own_secrets(default_root, cluster_root, facts):
    for key in facts["unique"]:
        assert default_root.config[key] != cluster_root.config[key], key


def test_config_save_keeps_secrets(cluster_root, facts):
    before = {key: cluster_root.config[key] for key in facts["unique"]}
    run(TUTOR, f"--root={cluster_root.path}", "config", "save")
    assert {key: cluster_root.config[key] for key in facts["unique"]} == before


def test_no_secret_in_init_tasks_or_compose_files(any_root):
    """The init tasks Tutor runs and prints (`sh -e -c "..."`) and the Compose files hold no secret: the
    jobs read them from their environment, mounted files or the LMS settings."""
    from tutor import config as tutor_config, env as tutor_env

    load_aspects_plugin()
    config = tutor_config.load(str(any_root.path))
    secrets = {**plugin_secrets(config), "MYSQL_ROOT_PASSWORD": str(config["MYSQL_ROOT_PASSWORD"])}
    tasks = {path.name: tutor_env.render_str(config, path.read_text())
             for path in sorted((REPO / "tutoraspects/templates/aspects/jobs/init").iterdir())}
    assert {"aspects.sh", "lms.sh", "cms.sh", "superset.sh"} <= set(tasks)
    for name, text in tasks.items():
        assert not [key for key, value in secrets.items() if value in text], name
    for path in any_root.compose_files():  # (Tutor's own MySQL service has its root password there)
        assert not [key for key, value in plugin_secrets(config).items() if value in path.read_text()], path.name
    # ... and what the LMS task needs, it reads from the LMS settings
    assert "settings.ASPECTS_LMS_INIT_SECRETS['ralph_password']" in tasks["lms.sh"]
    lms_settings = any_root.text("apps/openedx/settings/lms/production.py")
    namespace: dict = {}
    exec(lms_settings[lms_settings.index("ASPECTS_LMS_INIT_SECRETS = {"):].split("\n}\n")[0] + "\n}", namespace)
    assert namespace["ASPECTS_LMS_INIT_SECRETS"]["ralph_password"] == config["RALPH_LMS_PASSWORD"]


def test_settings_file_holds_the_install_values(any_root):
    config = any_root.config
    settings = yaml.safe_load(any_root.text("plugins/aspects/apps/aspects/settings.yml"))
    for key in CLICKHOUSE_PASSWORDS:
        assert settings[key] == config[key]
    assert settings["CLICKHOUSE_HOST"] == "clickhouse"
    assert settings["ASPECTS_RAW_XAPI_TABLE"] == "xapi_events_all"


def test_users_xml_holds_password_hashes_only(any_root):
    config = any_root.config
    users = any_root.text("plugins/aspects/apps/clickhouse/users.xml")
    for key in CLICKHOUSE_PASSWORDS:
        assert hashlib.sha256(config[key].encode()).hexdigest() in users
        assert config[key] not in users


def test_ralph_auth_file_holds_bcrypt_hashes(any_root):
    config = any_root.config
    text = any_root.text("plugins/aspects/apps/ralph/auth.json")
    accounts = {account["username"]: account for account in json.loads(text)}
    assert len(accounts) == len(RALPH_ACCOUNTS)
    assert not bcrypt.checkpw(b"not-the-password", accounts["lms"]["hash"].encode())
    for username, password_key in RALPH_ACCOUNTS:
        account = accounts[username]
        password = config[password_key]
        assert password not in text
        assert account["hash"].startswith("$2")
        assert bcrypt.checkpw(password.encode(), account["hash"].encode())
        assert "statements/write" in account["scopes"]
        assert account["agent"]["mbox"].startswith("mailto:")
        assert set(account) == {"username", "hash", "scopes", "agent"}


def test_superset_config(default_root, monkeypatch):
    """Executes the rendered superset_config.py (Superset's own modules stubbed)."""
    config = default_root.config
    cachelib = types.ModuleType("cachelib")
    cachelib_redis = types.ModuleType("cachelib.redis")
    cachelib_redis.RedisCache = lambda **kwargs: ("RedisCache", kwargs)
    superset = types.ModuleType("superset")
    superset_config = types.ModuleType("superset.config")
    superset_config.TALISMAN_CONFIG = {"content_security_policy": {"default-src": ["'self'"]}}
    superset_config.GUEST_TOKEN_JWT_SECRET = "test-guest-secret-change-me"  # Superset 6.1's public default
    superset.config = superset_config
    # the security manager beside it runs against the real Superset in test_superset_sign_in.py
    security = types.ModuleType("aspects_security")
    security.PROVIDER, security.AspectsSecurityManager, security.can_view_courses = "openedx", object, len
    security.add_embedding_endpoint = print
    fab_manager = types.ModuleType("flask_appbuilder.security.manager")
    fab_manager.AUTH_OAUTH = 4
    for name, module in {
        "aspects_security": security,
        "flask_appbuilder.security.manager": fab_manager,
        "cachelib": cachelib,
        "cachelib.redis": cachelib_redis,
        "superset": superset,
        "superset.config": superset_config,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    path = default_root.file("plugins/aspects/apps/superset/superset_config.py")
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)

    assert namespace["SECRET_KEY"] == config["SUPERSET_SECRET_KEY"]
    assert namespace["SQLALCHEMY_DATABASE_URI"] == (
        f"mysql+pymysql://superset:{config['SUPERSET_DB_PASSWORD']}@mysql:3306/superset?charset=utf8mb4"
    )
    assert namespace["CeleryConfig"].broker_url == "redis://redis:6379/2"
    assert namespace["CACHE_CONFIG"]["CACHE_REDIS_URL"] == "redis://redis:6379/3"
    assert namespace["FEATURE_FLAGS"]["EMBEDDED_SUPERSET"] is True
    assert namespace["FEATURE_FLAGS"]["ENABLE_TEMPLATE_PROCESSING"] is True
    # guest tokens: a secret of this install, a fixed audience, a role of their own
    assert namespace["GUEST_TOKEN_JWT_SECRET"] == config["SUPERSET_GUEST_TOKEN_SECRET"]
    assert len(config["SUPERSET_GUEST_TOKEN_SECRET"]) >= 32
    assert namespace["GUEST_TOKEN_JWT_AUDIENCE"] == "aspects-superset"
    assert namespace["GUEST_ROLE_NAME"] == "Aspects Guest" not in ("Gamma", "Public", "Admin")
    granted = {tuple(pair) for pair in namespace["FAB_ROLES"]["Aspects Guest"]}
    assert ("Dashboard", "can_read") in granted
    assert not any(view.startswith("SQL") or perm in ("can_write", "can_list", "all_datasource_access")
                   for view, perm in granted if view != "DashboardFilterStateRestApi")
    # sign-in through the LMS, with this install's OAuth2 client secret
    assert namespace["AUTH_TYPE"] == fab_manager.AUTH_OAUTH
    assert namespace["CUSTOM_SECURITY_MANAGER"] is security.AspectsSecurityManager
    (provider,) = namespace["OAUTH_PROVIDERS"]
    app = provider["remote_app"]
    assert (provider["name"], app["client_id"]) == ("openedx", "aspects-superset")
    assert app["client_secret"] == config["SUPERSET_OAUTH2_CLIENT_SECRET"] and len(app["client_secret"]) >= 32
    assert app["authorize_url"] == "http://local.openedx.io/oauth2/authorize"
    assert namespace["ASPECTS_LMS_COURSES_URL"] == (
        "http://local.openedx.io/api/courses/v1/courses/?permissions=staff&username={username}")
    assert namespace["AUTH_ROLES_MAPPING"] == {"admin": ["Admin"], "course_team": ["Aspects Course Team"]}
    assert namespace["AUTH_ROLES_SYNC_AT_LOGIN"] is True
    assert namespace["JINJA_CONTEXT_ADDONS"] == {"can_view_courses": security.can_view_courses}
    assert namespace["FLASK_APP_MUTATOR"] is security.add_embedding_endpoint
    assert namespace["ASPECTS_EMBED_DOMAINS"] == ["http://local.openedx.io", "http://apps.local.openedx.io"]
    csp = namespace["TALISMAN_CONFIG"]["content_security_policy"]
    assert csp["default-src"] == ["'self'"]
    assert any("local.openedx.io" in origin for origin in csp["frame-ancestors"])


# --- Kubernetes ---------------------------------------------------------------------


def test_k8s_manifests_validate(any_root):
    result = kubernetes_validate(*any_root.k8s_files())
    assert result.returncode == 0


def test_kubernetes_validate_rejects_unknown_fields(k8s_docs, tmp_path):
    """The validator bites: an unknown field in a container is an error."""
    broken = json.loads(json.dumps(find(k8s_docs, "Deployment", "clickhouse")))
    container(broken)["notAField"] = True
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken))
    result = kubernetes_validate(path, check=False)
    assert result.returncode != 0
    assert "notAField" in result.stdout + result.stderr


def test_k8s_deployments_and_services(default_root, k8s_docs):
    assert {"clickhouse", "ralph", "superset", "superset-worker"} <= names(k8s_docs, "Deployment")
    for name in ("clickhouse", "ralph", "superset", "superset-worker"):
        deployment = find(k8s_docs, "Deployment", name)
        labels = {"app.kubernetes.io/name": name}
        assert deployment["spec"]["selector"]["matchLabels"] == labels
        assert deployment["spec"]["template"]["metadata"]["labels"] == labels

    ports = {
        name: {port["port"] for port in find(k8s_docs, "Service", name)["spec"]["ports"]}
        for name in ("clickhouse", "ralph", "superset")
    }
    assert ports == {"clickhouse": {8123, 9000}, "ralph": {8100}, "superset": {8088}}

    clickhouse = find(k8s_docs, "Deployment", "clickhouse")
    volumes = {volume["name"]: volume for volume in clickhouse["spec"]["template"]["spec"]["volumes"]}
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == "clickhouse"
    assert volumes["config"]["secret"]["secretName"] == "clickhouse-config"
    mounts = {mount["mountPath"]: mount for mount in container(clickhouse)["volumeMounts"]}
    assert mounts["/etc/clickhouse-server/config.d/aspects.xml"]["subPath"] == "config.xml"
    assert mounts["/etc/clickhouse-server/users.xml"]["subPath"] == "users.xml"
    assert mounts["/var/lib/clickhouse"]["name"] == "data"
    assert container(clickhouse)["readinessProbe"]["httpGet"]["path"] == "/ping"
    assert container(clickhouse)["livenessProbe"]["httpGet"]["path"] == "/ping"

    pvc = find(k8s_docs, "PersistentVolumeClaim", "clickhouse")
    assert pvc["spec"]["resources"]["requests"]["storage"] == "20Gi"

    ralph = container(find(k8s_docs, "Deployment", "ralph"))
    assert ralph["envFrom"] == [{"secretRef": {"name": "ralph-env"}}]
    assert {mount["mountPath"] for mount in ralph["volumeMounts"]} == {"/etc/ralph"}


def test_k8s_services_are_bounded_and_unprivileged(k8s_docs):
    """Memory requests and limits, no root, no privilege escalation or capabilities; the Superset worker
    is watched like the web server."""
    for name in ("clickhouse", "ralph", "superset", "superset-worker"):
        pod = find(k8s_docs, "Deployment", name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0, name
        (box,) = pod["containers"]
        assert {"cpu", "memory"} <= set(box["resources"]["requests"]) and "memory" in box["resources"]["limits"], name
        assert box["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}, name
        assert "livenessProbe" in box, name
    worker = container(find(k8s_docs, "Deployment", "superset-worker"))
    assert "inspect ping" in " ".join(worker["livenessProbe"]["exec"]["command"])


def test_k8s_jobs(k8s_docs):
    job = find(k8s_docs, "Job", "aspects-job")
    # An empty command makes `tutor k8s do` run the task with `sh -e -c`.
    assert container(job)["command"] == []
    mounts = {mount["mountPath"]: mount["name"] for mount in container(job)["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in job["spec"]["template"]["spec"]["volumes"]}
    assert volumes[mounts["/etc/aspects"]]["secret"]["secretName"] == "aspects-settings"
    assert find(k8s_docs, "Job", "superset-job")


POD_KINDS = ("Deployment", "StatefulSet", "Job")


def plugin_secrets(config: dict) -> dict[str, str]:
    """This plugin's generated secrets (passwords, keys, the OAuth2 client secret) in a root's config."""
    return {key: str(value) for key, value in config.items()
            if key.startswith(("CLICKHOUSE_", "RALPH_", "SUPERSET_")) and key.endswith(("PASSWORD", "SECRET", "SECRET_KEY"))}


def test_kustomization(any_root, tmp_path):
    """Every generated Secret's files exist; with kubectl, the full build validates, the services read
    their files from Secrets and no ConfigMap or pod spec holds a secret."""
    kustomization = yaml.safe_load(any_root.text("kustomization.yml"))
    generators = {g["name"]: g.get("files", g.get("envs")) for g in kustomization["secretGenerator"]}
    for files in generators.values():
        for file in files:
            assert any_root.file(file).is_file(), file
    assert generators["aspects-settings"] == ["plugins/aspects/apps/aspects/settings.yml"]
    cluster = bool(any_root.config.get("CLICKHOUSE_CLUSTER_NAME"))
    assert generators["clickhouse-config"] == [
        "plugins/aspects/apps/clickhouse/config.xml",
        "plugins/aspects/apps/clickhouse/users.xml",
        # the cluster's file holds its secrets: a Secret too, and only on a cluster
        *(["plugins/aspects/apps/clickhouse/cluster.xml"] if cluster else []),
    ]
    assert ("clickhouse-keeper-config" in generators) == cluster
    assert generators["ralph-config"] == ["plugins/aspects/apps/ralph/auth.json"]
    assert generators["ralph-env"] == ["plugins/aspects/apps/ralph/ralph.env"]
    if "superset-config" in generators:
        assert generators["superset-init-env"] == ["plugins/aspects/apps/superset-init/init.env"]

    built = kustomize(any_root.env)
    if built is None:
        return  # no kubectl: each manifest file was still validated above
    path = tmp_path / "kustomized.yml"
    path.write_text(built)
    assert kubernetes_validate(path).returncode == 0
    docs = [doc for doc in yaml.safe_load_all(built) if doc]
    secret_files = {
        doc["metadata"]["labels"]["app.kubernetes.io/name"] + ":" + key
        for doc in docs if doc["kind"] == "Secret" for key in doc["data"]
    }
    assert {"aspects:settings.yml", "clickhouse:config.xml", "clickhouse:users.xml", "ralph:auth.json",
            "ralph:RALPH_BACKENDS__LRS__CLICKHOUSE__PASSWORD"} <= secret_files
    ralph_env = next(doc["data"] for doc in docs if doc["kind"] == "Secret" and "RALPH_AUTH_FILE" in doc["data"])
    assert base64.b64decode(ralph_env["RALPH_BACKENDS__LRS__CLICKHOUSE__PASSWORD"]).decode() == \
        any_root.config["CLICKHOUSE_LRS_PASSWORD"]
    ralph = next(doc for doc in docs if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "ralph")
    assert container(ralph)["envFrom"][0]["secretRef"]["name"] in names(docs, "Secret")
    # Every Secret a pod mounts exists under its hashed name.
    generated = names(docs, "Secret")
    for doc in docs:
        if doc["kind"] in POD_KINDS:
            for volume in doc["spec"]["template"]["spec"].get("volumes", []):
                assert "configMap" not in volume or not volume["configMap"]["name"].startswith(
                    ("aspects", "clickhouse", "ralph", "superset")), (doc["metadata"]["name"], volume)
                if "secret" in volume:
                    assert volume["secret"]["secretName"] in generated, (doc["metadata"]["name"], volume)
    # No secret of this plugin in a ConfigMap or in a pod's spec (Deployment, StatefulSet, Job), except in the LMS and
    # Studio's settings, which Tutor keeps in its openedx-settings ConfigMaps with the LMS's own secrets.
    secrets = plugin_secrets(any_root.config)
    assert len(secrets) >= 8
    exposed = "\n".join(yaml.safe_dump(doc) for doc in docs if doc["kind"] in ("ConfigMap", *POD_KINDS)
                        and not doc["metadata"]["name"].startswith("openedx-settings"))
    assert not [key for key, value in secrets.items() if value in exposed]


# --- scenarios ------------------------------------------------------------------------


def test_run_superset_false_removes_superset(no_superset_root):
    services = compose_model(no_superset_root.compose_files())["services"]
    assert not {"superset", "superset-worker", "superset-job"} & set(services)
    assert {"clickhouse", "ralph", "aspects-job"} <= set(services)
    docs = k8s_documents(no_superset_root.k8s_files())
    assert not any(name.startswith("superset") for kind in ("Deployment", "Service", "Job") for name in names(docs, kind))
    assert {"clickhouse", "ralph"} <= names(docs, "Deployment")
    kustomization = yaml.safe_load(no_superset_root.text("kustomization.yml"))
    assert "superset-config" not in {generator["name"] for generator in kustomization["secretGenerator"]}
    assert "superset" not in no_superset_root.text("apps/caddy/Caddyfile")


def test_cluster_mode_renders(cluster_root):
    settings = yaml.safe_load(cluster_root.text("plugins/aspects/apps/aspects/settings.yml"))
    assert settings["CLICKHOUSE_CLUSTER_NAME"] == "analytics"
    assert (settings["CLICKHOUSE_CLUSTER_SHARDS"], settings["CLICKHOUSE_CLUSTER_REPLICAS"]) == (2, 3)
    services = compose_model(cluster_root.compose_files())["services"]
    assert {"clickhouse", "ralph", "superset", "aspects-job"} <= set(services)


# --- cluster mode on Kubernetes (docs/scaling.md) ----------------------------------------


def pod_hosts(statefulset: dict) -> list[str]:
    """The stable DNS names of a StatefulSet's pods: <name>-<ordinal>.<its headless Service>."""
    name, spec = statefulset["metadata"]["name"], statefulset["spec"]
    return [f"{name}-{ordinal}.{spec['serviceName']}" for ordinal in range(spec["replicas"])]


def env_values(box: dict) -> dict:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in box.get("env", [])}


def ports_by_name(box: dict) -> dict[str, int]:
    return {port["name"]: port["containerPort"] for port in box["ports"]}


@pytest.fixture(scope="module")
def cluster_docs(cluster_root) -> list[dict]:
    return k8s_documents(cluster_root.k8s_files())


def test_single_server_has_no_cluster_parts(default_root, k8s_docs):
    """Without a cluster name: the one Deployment and its volume, as before; cluster.xml says nothing."""
    assert not names(k8s_docs, "StatefulSet")
    assert find(k8s_docs, "Deployment", "clickhouse") and find(k8s_docs, "PersistentVolumeClaim", "clickhouse")
    assert not {"clickhouse-headless", "clickhouse-keeper"} & names(k8s_docs, "Service")
    assert len(ElementTree.parse(default_root.file("plugins/aspects/apps/clickhouse/cluster.xml")).getroot()) == 0
    assert "_local" not in default_root.text("plugins/aspects/apps/clickhouse/users.xml")


def test_cluster_keeper(cluster_root, cluster_docs):
    """Three Keeper servers, each finding its raft id from its pod's ordinal; keeper.xml lists the pods."""
    keeper = find(cluster_docs, "StatefulSet", "clickhouse-keeper")
    assert keeper["spec"]["replicas"] == 3
    headless = find(cluster_docs, "Service", keeper["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True
    assert headless["spec"]["selector"] == keeper["spec"]["template"]["metadata"]["labels"]
    box = container(keeper)
    ports = ports_by_name(box)
    assert box["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http-control"}
    assert box["livenessProbe"]["tcpSocket"]["port"] == "client"
    mounts = {mount["mountPath"]: mount for mount in box["volumeMounts"]}
    assert mounts["/etc/clickhouse-keeper/keeper.xml"]["subPath"] == "keeper.xml"
    volumes = {volume["name"]: volume for volume in keeper["spec"]["template"]["spec"]["volumes"]}
    assert volumes[mounts["/etc/clickhouse-keeper/keeper.xml"]["name"]]["secret"]["secretName"] == \
        "clickhouse-keeper-config"
    assert keeper["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == mounts["/var/lib/clickhouse-keeper"]["name"]

    config = ElementTree.parse(cluster_root.file("plugins/aspects/apps/clickhouse-keeper/keeper.xml")).getroot()
    server = config.find("keeper_server")
    assert int(server.findtext("tcp_port")) == ports["client"]
    assert int(server.find("http_control").findtext("port")) == ports["http-control"]
    raft = {int(node.findtext("id")): (node.findtext("hostname"), int(node.findtext("port")))
            for node in server.find("raft_configuration")}
    assert raft == {ordinal + 1: (host, ports["raft"]) for ordinal, host in enumerate(pod_hosts(keeper))}
    # the id comes from the environment, which the start command fills from the pod's name: run that part
    assert server.find("server_id").get("from_env") == "KEEPER_SERVER_ID"
    assert box["command"][:2] == ["sh", "-c"] and env_values(box)["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    setup, start = box["command"][2].split(" && ")
    assert start.startswith("exec clickhouse keeper --config-file=/etc/clickhouse-keeper/keeper.xml")
    for ordinal, host in enumerate(pod_hosts(keeper)):
        pod_name = host.split(".")[0]
        result = run("sh", "-c", f'POD_NAME={pod_name}; {setup} && echo "$KEEPER_SERVER_ID"')
        assert int(result.stdout) == ordinal + 1 and raft[ordinal + 1][0].startswith(pod_name + ".")


def test_cluster_servers(cluster_root, cluster_docs):
    """A StatefulSet per shard whose pods are its replicas, secured and probed like the single server; the
    `clickhouse` Service reaches all of them; cluster.xml names every replica, the Keeper pods and each
    pod's macros."""
    config = cluster_root.config
    shards = [doc for doc in cluster_docs if doc["kind"] == "StatefulSet"
              and doc["metadata"]["name"].startswith("clickhouse-shard")]
    assert [doc["metadata"]["name"] for doc in shards] == ["clickhouse-shard1", "clickhouse-shard2"]
    assert "clickhouse" not in names(cluster_docs, "Deployment")
    assert "clickhouse" not in names(cluster_docs, "PersistentVolumeClaim")
    service = find(cluster_docs, "Service", "clickhouse")
    headless = find(cluster_docs, "Service", "clickhouse-headless")
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True
    for number, shard in enumerate(shards, start=1):
        spec = shard["spec"]
        assert spec["replicas"] == 3 and spec["serviceName"] == "clickhouse-headless"
        labels = spec["template"]["metadata"]["labels"]
        assert spec["selector"]["matchLabels"] == labels
        assert service["spec"]["selector"].items() <= labels.items()
        assert headless["spec"]["selector"].items() <= labels.items()
        pod = spec["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 101
        (box,) = pod["containers"]
        assert box["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
        assert box["readinessProbe"]["httpGet"]["path"] == "/ping" == box["livenessProbe"]["httpGet"]["path"]
        assert {"cpu", "memory"} <= set(box["resources"]["requests"]) and "memory" in box["resources"]["limits"]
        env = env_values(box)
        assert env["CLICKHOUSE_SHARD"] == str(number)
        assert env["CLICKHOUSE_REPLICA"] == {"fieldRef": {"fieldPath": "metadata.name"}}
        assert env["CLICKHOUSE_INTERSERVER_HOST"] == "$(CLICKHOUSE_REPLICA).clickhouse-headless"
        mounts = {mount["mountPath"]: mount for mount in box["volumeMounts"]}
        assert mounts["/etc/clickhouse-server/config.d/cluster.xml"]["subPath"] == "cluster.xml"
        assert mounts["/etc/clickhouse-server/config.d/aspects.xml"]["subPath"] == "config.xml"
        assert spec["volumeClaimTemplates"][0]["metadata"]["name"] == mounts["/var/lib/clickhouse"]["name"]
        assert spec["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "20Gi"
        assert {volume["name"]: volume for volume in pod["volumes"]}["config"]["secret"]["secretName"] == \
            "clickhouse-config"

    root = ElementTree.parse(cluster_root.file("plugins/aspects/apps/clickhouse/cluster.xml")).getroot()
    (cluster,) = root.find("remote_servers")
    assert cluster.tag == "analytics"
    assert cluster.findtext("secret") == config["CLICKHOUSE_CLUSTER_SECRET"]
    listed = [[(replica.findtext("host"), int(replica.findtext("port"))) for replica in shard.findall("replica")]
              for shard in cluster.findall("shard")]
    assert listed == [[(host, 9000) for host in pod_hosts(shard)] for shard in shards]
    assert all(shard.findtext("internal_replication") == "true" for shard in cluster.findall("shard"))
    keeper = find(cluster_docs, "StatefulSet", "clickhouse-keeper")
    assert [(node.findtext("host"), int(node.findtext("port"))) for node in root.find("zookeeper")] == \
        [(host, ports_by_name(container(keeper))["client"]) for host in pod_hosts(keeper)]
    macros = {macro.tag: macro.get("from_env") for macro in root.find("macros")}
    assert macros == {"shard": "CLICKHOUSE_SHARD", "replica": "CLICKHOUSE_REPLICA"}
    assert root.findtext("default_replica_path") == "/clickhouse/tables/{uuid}/{shard}"
    assert root.findtext("default_replica_name") == "{replica}"
    assert root.find("interserver_http_host").get("from_env") == "CLICKHOUSE_INTERSERVER_HOST"
    assert int(root.findtext("interserver_http_port")) == ports_by_name(container(shards[0]))["interserver"]
    credentials = root.find("interserver_http_credentials")
    assert credentials.findtext("password") == config["CLICKHOUSE_INTERSERVER_PASSWORD"]


def test_cluster_raw_table_is_the_distributed_one(cluster_root):
    """Ralph writes the Distributed table migration 0010 creates; its user may write the shards' local
    tables it forwards to; inserts wait for the shards."""
    from tutoraspects import migrations
    from tutoraspects.settings import Settings

    env = dict(line.split("=", 1) for line in cluster_root.text("plugins/aspects/apps/ralph/ralph.env").splitlines()
               if line and not line.startswith("#"))
    settings = Settings.load(cluster_root.file("plugins/aspects/apps/aspects/settings.yml"))
    assert (settings.cluster_shards, settings.cluster_replicas) == (2, 3)
    distributed = migrations.render(settings)["0010_raw_distributed.sql"]
    table = f"{env['RALPH_BACKENDS__LRS__CLICKHOUSE__DATABASE']}.{env['RALPH_BACKENDS__LRS__CLICKHOUSE__EVENT_TABLE_NAME']}"
    assert f"\nCREATE TABLE IF NOT EXISTS {table} ON CLUSTER 'analytics'\nAS {table}_local\nENGINE = Distributed(" \
        in distributed
    users = ElementTree.parse(cluster_root.file("plugins/aspects/apps/clickhouse/users.xml")).getroot()
    grants = [query.text for query in users.find("users").find("ch_lrs").find("grants")]
    # the raw table and each shard's local one; staging is read by the views kept on insert
    assert grants == [f"GRANT INSERT, SELECT ON {table}", f"GRANT SELECT ON {settings.reporting_database}.stg_*",
                      f"GRANT INSERT, SELECT ON {table}_local"]
    assert users.find("profiles").find("default").findtext("distributed_foreground_insert") == "1"


def test_cluster_size_is_checked_when_saved(tmp_path):
    """A cluster size that is not a whole number of servers stops `tutor config save`."""
    run(TUTOR, f"--root={tmp_path}", "plugins", "enable", "aspects")
    result = run(TUTOR, f"--root={tmp_path}", "config", "save", "--set", "CLICKHOUSE_CLUSTER_NAME=analytics",
                 "--set", "CLICKHOUSE_CLUSTER_SHARDS=0", check=False)
    assert result.returncode != 0
    assert "CLICKHOUSE_CLUSTER_SHARDS=0" in result.stdout + result.stderr


# --- images ---------------------------------------------------------------------------


def test_no_registry_host_in_our_templates():
    """Images are named through config (DOCKER_REGISTRY); no template hard-codes a registry."""
    sources = [
        *sorted((REPO / "tutoraspects/patches").iterdir()),
        *sorted((REPO / "tutoraspects/templates/aspects/build").rglob("*")),
        *sorted((REPO / "tutoraspects/templates/aspects/apps/ralph").rglob("*")),
        *sorted((REPO / "tutoraspects/templates/aspects/apps/superset").rglob("*")),
    ]
    pattern = re.compile(r"\b(docker\.io|ghcr\.io|quay\.io|gcr\.io|registry\.|[a-z0-9-]+\.azurecr\.io|public\.ecr\.aws)")
    for path in sources:
        if path.is_file():
            assert not pattern.search(path.read_text()), path
