"""Dashboards in the languages the operator lists (ASPECTS_DASHBOARD_LOCALES), one copy per language.

With any language besides English listed, every dashboard is imported once per listed language
(English included), with its charts: titles, chart names and filter names from
superset_assets/translations/<locale>.yaml, English where a string is missing. A copy's uuid and
slug are those platform-plugin-aspects asks for when it shows a dashboard in a user's language
(its `get_localized_uuid`, slug `<slug>-<locale>`), so the instructor tab picks the user's
language. Datasets are shared: row-level security and dataset access apply to every copy.
"""

from __future__ import annotations

import copy
import uuid as uuid_module
from pathlib import Path
from typing import Iterable

import yaml

from .assets import Asset, AssetTree, assets_dir, dashboard_chart_uuids

DEFAULT_LOCALE = "en"


def normalize(locale: str) -> str:
    """As platform-plugin-aspects writes a language in a slug or uuid: `pt-BR` -> `pt_br`."""
    return locale.lower().replace("-", "_")


def localized_uuid(base_uuid: str, locale: str) -> str:
    """platform-plugin-aspects's get_localized_uuid: the uuid of a dashboard's copy in a language."""
    namespace = uuid_module.uuid5(uuid_module.UUID(base_uuid), "superset")
    return str(uuid_module.uuid5(namespace, normalize(locale)))


def translating(locales: Iterable[str]) -> bool:
    """Copies are made once any language besides English is listed."""
    return any(normalize(locale) != DEFAULT_LOCALE for locale in locales)


def translations_dir(root: Path | None = None) -> Path:
    return Path(root or assets_dir()) / "translations"


def load_translations(locale: str, root: Path | None = None) -> dict[str, str]:
    """English -> the language's string; empty for English or a language without a file."""
    path = translations_dir(root) / f"{normalize(locale)}.yaml"
    if normalize(locale) == DEFAULT_LOCALE or not path.is_file():
        return {}
    return {str(key): str(value) for key, value in (yaml.safe_load(path.read_text()) or {}).items()}


def translatable_strings(tree: AssetTree) -> set[str]:
    """Every dashboard title, chart name and native filter name of the tree."""
    strings = {chart.config["slice_name"] for chart in tree.of("charts")}
    for dashboard in tree.of("dashboards"):
        strings.add(dashboard.config["dashboard_title"])
        strings |= {f["name"] for f in dashboard.config.get("metadata", {}).get("native_filter_configuration") or []}
    return strings


def check_translations(tree: AssetTree, root: Path | None = None) -> list[str]:
    """check-assets' rules: each file maps strings to non-empty strings. (A string no asset has any more, after
    a rename, is unused, not an error: tests/test_translations.py keeps the shipped files current.)"""
    problems = []
    for path in sorted(translations_dir(root).glob("*.yaml")):
        try:
            mapping = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            problems.append(f"translations/{path.name}: not YAML: {error}")
            continue
        if not isinstance(mapping, dict):
            problems.append(f"translations/{path.name}: must map English strings to translations")
            continue
        for key, value in mapping.items():
            if not isinstance(value, str) or not value.strip():
                problems.append(f"translations/{path.name}: {key!r} has no translation")
    return problems


def localized_assets(tree: AssetTree, locales: Iterable[str], root: Path | None = None) -> list[Asset]:
    """The copies of every dashboard and its charts in each language (none unless translating)."""
    locales = list(dict.fromkeys(normalize(locale) for locale in locales))
    if not translating(locales):
        return []
    charts = tree.by_uuid("charts")
    copies: dict[str, Asset] = {}
    for locale in locales:
        words = load_translations(locale, root)
        tr = lambda text: words.get(text, text)  # noqa: E731
        for dashboard in tree.of("dashboards"):
            config = copy.deepcopy(dashboard.config)
            config["uuid"] = localized_uuid(dashboard.uuid, locale)
            config["slug"] = f"{dashboard.config['slug']}-{locale}"
            config["dashboard_title"] = tr(config["dashboard_title"])
            for item in config["position"].values():
                if not isinstance(item, dict):
                    continue
                meta = item.get("meta") or {}
                if item.get("type") == "CHART":
                    meta["uuid"] = localized_uuid(meta["uuid"], locale)
                    meta["sliceName"] = tr(meta.get("sliceName", ""))
                elif item.get("type") == "HEADER":
                    meta["text"] = tr(meta.get("text", ""))
            for native_filter in config.get("metadata", {}).get("native_filter_configuration") or []:
                native_filter["name"] = tr(native_filter["name"])
            copies[config["uuid"]] = Asset("dashboards", dashboard.path.with_name(f"{config['slug']}.yaml"), config)
            for chart_uuid in dashboard_chart_uuids(dashboard.config):
                chart = charts[chart_uuid]
                chart_copy = copy.deepcopy(chart.config)
                chart_copy["uuid"] = localized_uuid(chart_uuid, locale)
                chart_copy["slice_name"] = tr(chart.config["slice_name"])
                copies[chart_copy["uuid"]] = Asset("charts", chart.path.with_name(f"{chart.path.stem}_{locale}.yaml"),
                                                   chart_copy)
    return list(copies.values())


def base_slug(slug: str, locales: Iterable[str]) -> str:
    """The slug a dashboard copy was made from (`course-fr` -> `course`); other slugs as they are."""
    for locale in locales:
        suffix = f"-{normalize(locale)}"
        if translating(locales) and slug.endswith(suffix):
            return slug[: -len(suffix)]
    return slug


def with_translations(tree: AssetTree, locales: Iterable[str], root: Path | None = None) -> AssetTree:
    """The tree plus its copies in each language (the tree itself unless translating)."""
    extra = localized_assets(tree, locales, root)
    if not extra:
        return tree
    widened = AssetTree(tree.root)
    widened.assets = [*tree.assets, *extra]
    widened.errors = list(tree.errors)
    return widened
