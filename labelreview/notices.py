"""THIRD-PARTY-NOTICES: every package the app redistributes, its licence, where its source is, and the licence
texts its authors ship, read from the installed packages' metadata.

``make package`` writes it for the packages PyInstaller collected; Help -> About shows that file in the packaged
app, and the same notice for labelreview's installed dependencies elsewhere.
"""

import re
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from labelreview.core.appdirs import resources_dir

NOTICES = "THIRD-PARTY-NOTICES"
SOURCE_LABELS = ("source", "source code", "repository", "code", "github", "homepage", "home")
QT_NOTE = """\
Qt and PySide6 are used under the GNU Lesser General Public License v3 (LGPL-3.0). This app loads them as
shared libraries from its _internal folder (PySide6/Qt/lib and the PySide6 and shiboken6 modules beside it), so
you may replace them with your own build of the same version: put the rebuilt libraries in their place. Qt's
source is at https://download.qt.io/official_releases/qt/ and PySide6's at https://code.qt.io/pyside/pyside-setup;
the texts of the LGPL and of the GPL it extends follow.
"""
QT_LICENCES = [resources_dir() / "licences" / "LGPL-3.0.txt", resources_dir() / "licences" / "GPL-3.0.txt"]
PYTHON_NOTE = """\
Python {version}: the interpreter and its standard library, under the Python Software Foundation License
(PSF-2.0). Source: https://www.python.org/downloads/source/
"""


def notices_text(distributions: list[str]) -> str:
    """The notice for the installed distributions named (any spelling), sorted by name, Python first."""
    dists = {metadata.distribution(name).metadata["Name"].lower(): metadata.distribution(name)
             for name in distributions}
    named = [(f"Python {sys.version.split()[0]}", "PSF-2.0")]
    named += [(f"{dists[key].metadata['Name']} {dists[key].metadata['Version']}", licence(dists[key]))
              for key in sorted(dists)]
    contents = [f"{name:<44} {licensed}" for name, licensed in named]
    parts = [f"Third-party software in labelreview ({len(dists) + 1} components; their notices and licence "
             "texts follow the list)\n", *contents, "", PYTHON_NOTE.format(version=sys.version.split()[0])]
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.is_file():
        parts.append(python_licence.read_text(encoding="utf-8", errors="replace"))
    for key in sorted(dists):
        parts.append(_section(dists[key]))
    return "\n".join(parts)


def _section(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    name, version = meta["Name"], meta["Version"]
    lines = ["=" * 100, f"{name} {version}", f"Licence: {licence(dist)}", f"Source: {source_url(dist)}"]
    qt = name.lower().startswith(("pyside6", "shiboken6"))
    if qt:
        lines.append(QT_NOTE)
    for path in licence_files(dist) + (QT_LICENCES if qt and name.lower().startswith("pyside6") else []):
        lines += ["", f"--- {path.name} ---", path.read_text(encoding="utf-8", errors="replace").strip()]
    return "\n".join(lines) + "\n"


def licence(dist: metadata.Distribution) -> str:
    """The licence the metadata names: its SPDX expression, else its License field, else its classifiers."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    field = (meta.get("License") or "").strip()
    if field and "\n" not in field and len(field) < 100:
        return field
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(classifiers) or (field.splitlines()[0] if field else "see the licence text below")


def source_url(dist: metadata.Distribution) -> str:
    """Where the package's source is: its source or home page URL, else its page on PyPI."""
    urls = {}
    for entry in dist.metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    if dist.metadata.get("Home-page"):
        urls.setdefault("home", dist.metadata["Home-page"])
    found = next((urls[label] for label in SOURCE_LABELS if label in urls), None)
    return found or f"https://pypi.org/project/{dist.metadata['Name']}/{dist.metadata['Version']}/#files"


def licence_files(dist: metadata.Distribution) -> list[Path]:
    """The licence and notice files the package installs with its metadata."""
    named = re.compile(r"(licen[cs]e|copying|notice|authors)", re.IGNORECASE)
    found = []
    for file in dist.files or []:
        if named.search(file.name) and (".dist-info" in str(file) or "licenses" in str(file).lower()):
            path = Path(dist.locate_file(file))
            if path.is_file():
                found.append(path)
    return sorted(found, key=lambda path: path.name)


def dependency_closure(root: str = "labelreview") -> list[str]:
    """``root``'s installed requirements and theirs, without extras: what an installation of it runs on."""
    seen, todo = set(), [root]
    while todo:
        name = todo.pop()
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            if "extra ==" in requirement:
                continue
            wanted = re.sub(r"[-_.]+", "-", re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0]).lower()
            if wanted not in seen:
                try:
                    metadata.distribution(wanted)
                except metadata.PackageNotFoundError:
                    continue  # a requirement of another platform
                seen.add(wanted)
                todo.append(wanted)
    return sorted(seen)


def installed_notices() -> str:
    """The packaged app's THIRD-PARTY-NOTICES, or the notice for labelreview's installed dependencies."""
    packaged = Path(getattr(sys, "_MEIPASS", "")) / NOTICES
    if getattr(sys, "frozen", False) and packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return notices_text(dependency_closure())
