"""Projects whose text is an attack on generated code, and checks that the attack failed.

``hostile_project(path)`` reads an example and, through its project file (so the loader's
own rules apply), gives every node a hostile title and a hostile id, and the project a
hostile name and description. Every hostile text holds ``MARKER``; an export is safe when
the marker never appears outside string constants and comments, comments are single
printable lines, and the module's AST has the same shape as the benign export's.
"""

from __future__ import annotations

import ast
import io
import itertools
import json
import tokenize
import zipfile
from pathlib import Path

from nnstudio.graph.files.project_file import load_project, project_from_bytes, project_to_bytes
from nnstudio.graph.model.project import Project

MARKER = "PWNED"

#: Titles and names that try to end a comment, a string or a docstring and run code.
HOSTILE_TEXTS = (
    f'a\nimport os; os.system("touch {MARKER}")\n#',
    f'x"""\n{MARKER} = 1\n"""',
    f"y'''\r{MARKER} = 2\r'''",
    f"\\N{{ \\\" \\\n{MARKER} = 3 \\",
    f"# c\r\n{MARKER}()",
    f"sep\u2028{MARKER}()\u2029end",
    f"nel\x85{MARKER}()\x0cff\x0bvt",
    f"nul\x00{MARKER}\x1b[31m",
    f"lone \ud800 surrogate {MARKER}",
    f"rtl \u202e{MARKER}\u202c ok",
    f'=HYPERLINK("http://x/{MARKER}")',
    f"+1+{MARKER}",
    f"-2+{MARKER}",
    f"@SUM({MARKER})",
    f"{{{MARKER}}} {{0}} %s",
)

#: Hostile node ids: the loader wants printable ids, so no line breaks here.
HOSTILE_IDS = (
    f'n"""{MARKER}', f"n'{MARKER}", f"n#{MARKER}", f"n\\{MARKER}", f"n{{{MARKER}}}",
    f"=n{MARKER}", f"n {MARKER} )", f"n@{MARKER}",
)


def hostile_project(path: Path, *, ids: bool = True) -> Project:
    """The example at ``path`` with hostile titles, ids, name and description."""
    data, arrays = _unpack(project_to_bytes(load_project(path)))
    texts = itertools.cycle(HOSTILE_TEXTS)
    renamed: dict[str, str] = {}
    for i, node in enumerate(data["graph"]["nodes"]):
        node["title"] = next(texts)
        if ids:
            renamed[node["id"]] = HOSTILE_IDS[i % len(HOSTILE_IDS)] + str(i)
            node["id"] = renamed[node["id"]]
    for edge in data["graph"]["edges"]:
        for end in ("source", "target"):
            edge[end]["node"] = renamed.get(edge[end]["node"], edge[end]["node"])
    data["name"] = HOSTILE_TEXTS[1] + HOSTILE_TEXTS[8]
    data["description"] = HOSTILE_TEXTS[0]
    return project_from_bytes(_pack(data, arrays))


def _unpack(raw: bytes) -> tuple[dict, bytes]:  # type: ignore[type-arg]
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return (json.loads(archive.read("project.json").decode("utf-8")),
                archive.read("arrays.npz"))


def _pack(data: dict, arrays: bytes) -> bytes:  # type: ignore[type-arg]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.json", json.dumps(data, ensure_ascii=True))
        archive.writestr("arrays.npz", arrays)
    return out.getvalue()


# --- checks -------------------------------------------------------------------------------

def ast_shape(source: str) -> list[str]:
    """The node types of ``source``'s AST in walk order (names and constants left out)."""
    return [type(node).__name__ for node in ast.walk(ast.parse(source))]


def top_level(source: str) -> list[str]:
    """One word per top-level statement: ``import:x``, ``from:x``, ``def:f``, ``class:C``,
    ``assign:NAME``, ``docstring``, ``if``."""
    words = []
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Import):
            words.append("import:" + ",".join(a.name for a in stmt.names))
        elif isinstance(stmt, ast.ImportFrom):
            words.append(f"from:{stmt.module}")
        elif isinstance(stmt, ast.FunctionDef | ast.ClassDef):
            words.append(f"{'class' if isinstance(stmt, ast.ClassDef) else 'def'}:{stmt.name}")
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
            words.append(f"assign:{ast.unparse(target)}")
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            words.append("docstring")
        else:
            words.append(type(stmt).__name__.lower())
    return words


def assert_marker_only_in_strings(source: str) -> None:
    """``MARKER`` occurs only inside string literals or comments; every comment is one
    printable line; the source is printable apart from newlines."""
    assert "\r" not in source and "\x00" not in source
    for line in source.split("\n"):
        assert line.isprintable(), f"unprintable characters in {line!r}"
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            assert "\n" not in token.string and token.string.isprintable()
        elif token.type != tokenize.STRING and token.type not in _FSTRING_TOKENS:
            assert MARKER not in token.string, f"{MARKER} outside a string: {token}"


def string_constants(source: str) -> list[str]:
    return [node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


_FSTRING_TOKENS = {getattr(tokenize, name) for name in
                   ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, name)}
