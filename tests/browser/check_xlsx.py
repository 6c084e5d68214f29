"""Reads normbok's pick-list spreadsheets with openpyxl (a real xlsx reader, not normbok's
writer) and prints what the browser tests compare, as JSON.

Usage: python3 check_xlsx.py FILE.xlsx [FILE.xlsx ...]
Prints: {"FILE": {"sheet", "autofilter", "freeze", "header", "rows", "links", "wrap"}}
where rows are the cell values (None → ""), links the ID column's hyperlink targets, and
wrap whether the statement column (last) of the first data row wraps its text.
"""

import json
import sys

import openpyxl


def read(path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    header, rows = values[0], values[1:]
    links = []
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=1)
        links.append(cell.hyperlink.target if cell.hyperlink is not None else None)
    last = ws.cell(row=2, column=ws.max_column) if ws.max_row > 1 else None
    return {
        "sheet": ws.title,
        "autofilter": ws.auto_filter.ref,
        "freeze": ws.freeze_panes,
        "header": header,
        "rows": rows,
        "links": links,
        "wrap": bool(last is not None and last.alignment is not None and last.alignment.wrap_text),
    }


print(json.dumps({p: read(p) for p in sys.argv[1:]}, ensure_ascii=False))
