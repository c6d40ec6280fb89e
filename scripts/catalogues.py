"""Keep the text catalogues (workflows/locales/<lang>/LC_MESSAGES/<catalogue>.po) in their normal form.

    python scripts/catalogues.py sync    # rewrite every catalogue in normal form (see below)
    python scripts/catalogues.py check   # exit 1 if `sync` would change a file or a translation is missing

Korean is the source language. `sync`:
  * files every key in the catalogue its prefix belongs to (workflows.texts.catalogue_of), so a key
    whose prefix was moved to another catalogue moves with it, in every language;
  * orders each translation like the Korean catalogue, adds a key new in Korean with an empty
    msgstr (it then falls back: zh -> en -> ko) and drops a key Korean no longer has;
  * writes above each translated entry the developer's notes of the Korean entry and the Korean
    text itself ("#. ko: ..."), so a translator sees the source; translators' own "# " comments stay.
Run it after adding or changing Korean texts, then translate the empty msgstr entries.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflows.texts import LANGS, LOCALES, SOURCE_LANG, catalogue_of  # noqa: E402

HEADER = (
    'msgid ""\nmsgstr ""\n"Project-Id-Version: minwon-bot\\n"\n"Language: {lang}\\n"\n'
    '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Content-Transfer-Encoding: 8bit\\n"\n\n'
)
SOURCE_NOTE = "ko: "


def path_of(lang: str, catalogue: str, root: Path = LOCALES) -> Path:
    return root / lang / "LC_MESSAGES" / f"{catalogue}.po"


def read(lang: str, root: Path = LOCALES) -> dict[str, list]:
    """{catalogue: [babel Message, ...]} of one language, in file order."""
    found = {}
    for po in sorted((root / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as f:
            found[po.stem] = [m for m in read_po(f, charset="utf-8") if m.id]
    return found


def render(lang: str, entries: list[tuple[str, str, list[str], list[str], bool]]) -> str:
    """entries: (key, text, developer notes, translator comments, fuzzy) -> the .po file's text."""
    cat = Catalog(locale=None, charset="utf-8")
    for key, text, notes, comments, fuzzy in entries:
        cat.add(key, text, auto_comments=notes, user_comments=comments, flags=("fuzzy",) if fuzzy else ())
    buf = io.BytesIO()
    write_po(buf, cat, width=100_000, omit_header=True, no_location=True)  # no wrapping, comments neither
    return HEADER.format(lang=lang) + buf.getvalue().decode("utf-8")


def source_notes(m) -> list[str]:
    """The Korean entry's developer notes (without any earlier source copy)."""
    return [c for c in m.auto_comments if not c.startswith(SOURCE_NOTE)]


def normal_form(root: Path = LOCALES) -> dict[Path, str]:
    """Every catalogue file as `sync` writes it."""
    source = read(SOURCE_LANG, root)
    by_catalogue: dict[str, list] = {}
    for msgs in source.values():
        for m in msgs:
            by_catalogue.setdefault(catalogue_of(m.id), []).append(m)
    files = {}
    for catalogue, msgs in sorted(by_catalogue.items()):
        files[path_of(SOURCE_LANG, catalogue, root)] = render(
            SOURCE_LANG, [(m.id, m.string, source_notes(m), list(m.user_comments), m.fuzzy) for m in msgs]
        )
    for lang in LANGS:
        if lang == SOURCE_LANG:
            continue
        have = {m.id: m for msgs in read(lang, root).values() for m in msgs}
        for catalogue, msgs in sorted(by_catalogue.items()):
            entries = []
            for src in msgs:
                m = have.get(src.id)
                notes = source_notes(src) + [SOURCE_NOTE + line for line in src.string.split("\n")]
                entries.append(
                    (src.id, m.string if m else "", notes, list(m.user_comments) if m else [], bool(m and m.fuzzy))
                )
            files[path_of(lang, catalogue, root)] = render(lang, entries)
    return files


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("sync", "check"):
        print(__doc__)
        return 2
    files = normal_form()
    stale = sorted(
        p
        for p in set(files) | set(LOCALES.glob("*/LC_MESSAGES/*.po"))
        if p not in files or not p.exists() or p.read_text(encoding="utf-8") != files[p]
    )
    if argv[1] == "sync":
        for p in stale:
            if p in files:
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(files[p], encoding="utf-8")
            else:
                p.unlink()
            print("wrote" if p in files else "removed", p.relative_to(ROOT))
        return 0
    missing = [(lang, m.id) for lang in LANGS for msgs in read(lang).values() for m in msgs if not m.string or m.fuzzy]
    for p in stale:
        print("not in normal form (run sync):", p.relative_to(ROOT))
    for lang, key in missing:
        print(f"untranslated: {lang} {key}")
    return 1 if stale or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
