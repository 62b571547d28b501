"""Layout tables: pages built with <table> for columns, as many small papers' CMSs still are.

trafilatura reads every <table> as data and, given a page laid out in tables, returns the whole
page (navigation, footer, ads) as one table. A table used for layout is told from a data table
by what its cells hold: another table, or a cell with a long text or with paragraphs. Such
tables are turned into plain <div>s before the generic extraction, so that it sees the
columns as the blocks they are; data tables are left alone.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from worker.extraction.parsing import tag_text

# A cell holding this much text is a column of a page, not a datum of a table.
_LONG_CELL_CHARS = 400
_BLOCKS = ("table", "p", "div", "h1", "h2", "h3", "ul", "ol", "blockquote")
_TABLE_PARTS = ("table", "tbody", "thead", "tfoot", "tr", "td", "th")


def is_layout_table(table: HtmlElement) -> bool:
    """True for a table that lays out a page rather than tabulating data."""
    if (table.get("role") or "").lower() == "presentation":
        return True
    for cell in table.iter("td", "th"):
        if _has(cell, "table"):
            return True
        has_breaks = _has(cell, "br", *_BLOCKS)
        if has_breaks and len(tag_text(cell, _LONG_CELL_CHARS + 1)) > _LONG_CELL_CHARS:
            return True
    return False


def _has(element: HtmlElement, *names: str) -> bool:
    """An element of ``names`` below ``element`` (itself not counted)."""
    return any(node is not element for node in element.iter(*names))


def unwrap_layout_tables(root: HtmlElement) -> bool:
    """Turn every layout table into divs; True if any was. A table nested in a layout table is
    judged on its own (a box score inside a layout column stays a table)."""
    changed = False
    for table in list(root.iter("table")):
        if table.tag != "table" or not is_layout_table(table):
            continue
        own_parts = [
            part
            for part in table.iter(*_TABLE_PARTS[1:])
            if next(part.iterancestors("table"), None) is table
        ]
        for part in [table, *own_parts]:
            part.tag = "div"
        changed = True
    return changed
