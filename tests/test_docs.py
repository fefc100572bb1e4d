"""The documentation stays navigable: a short README as the front door, links that lead
somewhere, and code comments that explain rather than point at an issue tracker.

README.md says what BoneCare is and how to start; the rest lives in docs/, reached through
links that must keep working as files and headings move. Comments and docstrings say why
the code is as it is; an issue number tells a reader nothing once the tracker is gone.
"""

import ast
import io
import re
import tokenize
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)

# "issue 18", "issues 18 and 19", "Issue #7", "PR 12", or a bare "#19" as a tracker
# reference. A bare "#" reference is at most four digits standing alone, so colour codes
# (#005eb8, #425563), "x5t#S256" and noqa comments are not taken for one.
ISSUE_REFERENCE = re.compile(
    r"\b(?:issues?|tickets?|PR|pull request)\s*#?\s*\d+\b"
    r"|(?<![\w#&/])#\d{1,4}(?![\w-])",
    re.I,
)
CODE_DIRS = ("bonecare", "options", "guidance")


def prose(text):
    """Return the Markdown without fenced blocks and code spans, where links are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading):
    """Return the anchor GitHub gives a heading: lower case, punctuation dropped, spaces
    as hyphens (inline code and link syntax read as their text)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    """Return every anchor of a Markdown file's headings, numbered as GitHub numbers repeats."""
    seen, found = {}, set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path):
    """Yield the (target, fragment) of each link in a Markdown file that is not to the web."""
    for target in LINK.findall(prose(path.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        yield unquote(file_part), unquote(fragment)


def test_the_readme_is_a_front_door_not_a_manual():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; keep it to {README_MAX_LINES} and move the detail "
        "to docs/")


def test_the_readme_links_to_every_document():
    linked = {(ROOT / target).resolve()
              for target, _ in relative_links(ROOT / "README.md") if target}
    missing = [doc.relative_to(ROOT).as_posix() for doc in DOCS[1:] if doc.resolve() not in linked]
    assert missing == [], f"README.md's 'Where to read next' does not link to {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_somewhere(doc):
    broken = []
    for target, fragment in relative_links(doc):
        path = (doc.parent / target).resolve() if target else doc
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            broken.append(f"{target}#{fragment}: no such heading in {path.name}")
    assert broken == [], f"{doc.relative_to(ROOT)}: {broken}"


def comments_and_docstrings(path):
    """Yield (line, text) for each comment and docstring of a Python file."""
    source = path.read_text()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string.lstrip("#")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            docstring = ast.get_docstring(node, clean=False)
            if docstring is not None:
                yield node.body[0].lineno, docstring


def test_the_issue_reference_pattern():
    for text in ("(issue 18)", "issues 18 and 19", "Issue #7", "fixed in #19", "see PR 12"):
        assert ISSUE_REFERENCE.search(text), text
    for text in ("noqa: E402", "colour #005eb8", "#425563 text", "x5t#S256", "U+2028",
                 "an issue the clinician raises", "C5 lesion at SINS 11"):
        assert not ISSUE_REFERENCE.search(text), text


def test_no_comment_or_docstring_names_an_issue():
    found = []
    for directory in CODE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            for line, text in comments_and_docstrings(path):
                for match in ISSUE_REFERENCE.finditer(text):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)!r}")
    assert found == [], "say why instead of naming the issue: " + "; ".join(found)
