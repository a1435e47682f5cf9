"""The floor plan holds (docs/architecture.md): SQL only in server/storage, pure detection, one owner per library."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "server"
# SQL as it is written in this code base: statements in capitals.
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
                 r"|CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)|ALTER\s+TABLE|DROP\s+(TABLE|INDEX)|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE|WHERE\s+\w+\s*(=|IN|IS)"
                 r"|JOIN\s+\w+\s+\w*\s*ON|ORDER\s+BY|GROUP\s+BY)\b"
                 # fragments: a placeholder compared, "1 = 1"-style constants
                 r"|(=|<|>|\bIN|\bLIKE)\s*\(?\?|\b[01] = 1\b", re.S)


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "static" not in p.parts)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
    return out


def _docstrings(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                lines.add(body[0].value.lineno)
    return lines


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module if not node.level else f".{node.module}")
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_sql_outside_storage() -> None:
    found = []
    for path in _modules(SERVER):
        if path.is_relative_to(SERVER / "storage"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        docs = _docstrings(tree)
        for line, text in _strings(tree):
            if line not in docs and SQL.search(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text.strip()[:60]!r}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"execute", "executemany", "executescript"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}(…)")
    assert found == []


def test_the_scan_finds_sql() -> None:
    """The rule above would notice SQL if it were there."""
    assert SQL.search("SELECT id FROM hazards WHERE site_id = ?")
    assert SQL.search("UPDATE hazards SET state = ?")
    assert SQL.search("s.company_id = ?") and SQL.search("1 = 1") and SQL.search("ts >= ?")
    assert not SQL.search("Select a site from the list")
    assert not SQL.search("what is 1 + 1? no idea")


def test_sqlite3_only_in_storage() -> None:
    users = [p.relative_to(ROOT).as_posix() for p in _modules(SERVER)
             if not p.is_relative_to(SERVER / "storage") and any(n.split(".")[0] == "sqlite3" for n in _imports(p))]
    assert users == []


def test_detection_is_pure() -> None:
    for path in _modules(SERVER / "detection"):
        for name in _imports(path):
            assert not name.startswith(("server.storage", "server.web", "server.ingest", "server.alarms", "litestar",
                                        "sqlite3", "server.context")), f"{path.name} imports {name}"


def test_offline_sync_stands_alone() -> None:
    for path in _modules(ROOT / "offline_sync") + _modules(ROOT / "gb26875"):
        assert not any(n.split(".")[0] == "server" for n in _imports(path)), path.name


def test_one_idb_module() -> None:
    importers = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "pwa" / "src").rglob("*.ts*"))
                 if re.search(r"""from\s+['"]idb['"]""", p.read_text("utf-8"))]
    assert len(importers) == 1, importers


def test_modules_stay_small() -> None:
    modules = _modules(SERVER) + _modules(ROOT / "ble") + _modules(ROOT / "gb26875")
    big = [f"{p.relative_to(ROOT)}: {n}" for p in modules
           if (n := len(p.read_text("utf-8").splitlines())) >= 400]
    assert big == []


# The data walk (docs/architecture.md): device → ingest → detection → alarms → hazards → notify. A stage may use
# the next one, never an earlier one — except the definitions each stage hands on (its wire types and settings).
WALK = ("devices", "ingest", "detection", "alarms", "hazards", "notify")
HANDED_ON = ("schemas", "settings", "events")


def _domain_imports(domain: str) -> set[str]:
    return {name for path in _modules(SERVER / domain) for name in _imports(path) if name.startswith("server.")}


def test_data_walks_one_way() -> None:
    backwards = []
    for later, domain in enumerate(WALK):
        earlier = WALK[:later]
        for name in _domain_imports(domain):
            parts = name.split(".")
            if parts[1] in earlier and not (len(parts) > 2 and parts[2] in HANDED_ON):
                backwards.append(f"{domain} imports {name}")
    assert sorted(set(backwards)) == []


def test_ble_knows_nothing_of_the_server() -> None:
    users = [p.name for p in _modules(ROOT / "ble") if any(n.split(".")[0] == "server" for n in _imports(p))]
    assert users == []


def test_architecture_names_every_folder() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    folders = [f"{p.name}/" for p in SERVER.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    folders += [f"{p.name}/" for p in (ROOT / "pwa" / "src").iterdir() if p.is_dir() and p.name != "features"]
    features = [p.name for p in (ROOT / "pwa" / "src" / "features").iterdir() if p.is_dir()]
    assert len(folders) > 15 and len(features) > 8
    assert [f for f in folders if f not in page] == []
    assert [f for f in features if f not in page] == []


def test_paths_named_in_the_docs_exist() -> None:
    """A move that leaves the docs pointing at a file that is gone fails here."""
    path = re.compile(r"(?<![\w/{:])(?:server|ble|pwa/src|offline_sync|gb26875|tests|bench)/"
                      r"[\w./<>-]*\w(?:\.\w+)?[/*]?")
    pages = [*(ROOT / "docs").glob("*.md"), ROOT / "README.md", ROOT / "pwa" / "README.md"]
    named = {m.group(0) for page in pages for m in path.finditer(page.read_text("utf-8"))}
    assert len(named) > 40
    missing = sorted(n for n in named if "<" not in n and "*" not in n and not (ROOT / n).exists())
    assert missing == []
