"""Builders of hostile and broken deliveries, small enough for unit tests.

Where the real attack needs gigabytes, the file is built so that what the reader checks first
(a zip's declared sizes, a Parquet footer, a header line) shows the problem, or the test lowers
the limit; the full-size cases were measured once by hand (``/tmp/h/guarantees_files.md``).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml"
SHEET = "xl/worksheets/sheet1.xml"


def _parts(sheets: list[str]) -> dict[str, str]:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_MIME}.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    entries = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    return {
        "[Content_Types].xml": f'{XML}<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_MIME}.sheet.main+xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": f'{XML}<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{_REL}"><sheets>{entries}'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{XML}<Relationships xmlns="{_PKG}/relationships">{rels}'
        "</Relationships>",
    }


def sheet_xml(rows: Iterable[tuple[int, Iterable[tuple[str, str]]]]) -> bytes:
    """A worksheet of inline-string cells: ``[(row, [("A1", "text"), ...]), ...]``."""
    body = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>' for ref, v in cells)
        + "</row>"
        for r, cells in rows
    )
    return f'{XML}<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'.encode()


def write_xlsx(path: Path, *sheets: bytes, names: Iterable[str] = ()) -> Path:
    """Write a minimal workbook with the given worksheet XML parts (deflated)."""
    titles = list(names) or [f"Sheet{n}" for n in range(1, len(sheets) + 1)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _parts(titles).items():
            archive.writestr(name, text)
        for n, xml in enumerate(sheets, 1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", xml)
    return path


def table_sheet(rows: int, columns: int = 2) -> bytes:
    """A header row and ``rows`` data rows of ``columns`` columns (A, B, ...)."""
    letters = [chr(65 + i) for i in range(columns)]
    header = (1, [(f"{c}1", f"col{c}") for c in letters])
    data = [(r, [(f"{c}{r}", f"{c}{r}") for c in letters]) for r in range(2, rows + 2)]
    return sheet_xml([header, *data])


def bomb_sheet(rows: int, columns: int = 40) -> bytes:
    """Rows of shared-string cells without references: inflates hundreds of times."""
    row = "<row>" + '<c t="s"><v>0</v></c>' * columns + "</row>"
    return (
        f'{XML}<worksheet xmlns="{MAIN}"><sheetData>{row * rows}</sheetData></worksheet>'.encode()
    )


def lie_about_sizes(path: Path, part: str, declared: int) -> None:
    """Rewrite a part's declared inflated size (local header and central directory) in place.

    The CRC is left alone: a reader that trusts the declared size sees a short, broken part; one
    that inflates the stream inflates all of it.
    """
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<L", data, local + 22, declared)
    name = part.encode()
    central = 0
    while True:
        central = data.index(b"PK\x01\x02", central)
        length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + length]) == name:
            break
        central += 4
    struct.pack_into("<L", data, central + 24, declared)
    path.write_bytes(bytes(data))
