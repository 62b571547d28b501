"""Layout tables: pages built with <table> for columns, as many small papers' CMSs still are.

trafilatura reads every <table> as data and, given a page laid out in tables, returns the whole
page (navigation, footer, ads) as one table. A table used for layout is told from a data table
by what its cells hold: another table, or a cell with a long text or with paragraphs. Such
tables are turned into plain <div>s before the generic extraction, so that it sees the
columns as the blocks they are; data tables are left alone.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from worker.extraction.parsing import tag_text

# A cell holding this much text is a column of a page, not a datum of a table.
_LONG_CELL_CHARS = 400
_BLOCKS = ("table", "p", "div", "h1", "h2", "h3", "ul", "ol", "blockquote")
_TABLE_PARTS = ("table", "tbody", "thead", "tfoot", "tr", "td", "th")


def is_layout_table(table: Tag) -> bool:
    """True for a table that lays out a page rather than tabulating data."""
    if str(table.get("role") or "").lower() == "presentation":
        return True
    for cell in table.find_all(["td", "th"]):
        if not isinstance(cell, Tag):
            continue
        if cell.find("table") is not None:
            return True
        has_breaks = cell.find(["br", *_BLOCKS]) is not None
        if has_breaks and len(tag_text(cell, _LONG_CELL_CHARS + 1)) > _LONG_CELL_CHARS:
            return True
    return False


def unwrap_layout_tables(soup: BeautifulSoup) -> bool:
    """Turn every layout table into divs; True if any was. A table nested in a layout table is
    judged on its own (a box score inside a layout column stays a table)."""
    changed = False
    for table in soup.find_all("table"):
        if not isinstance(table, Tag) or not is_layout_table(table):
            continue
        own_parts = [
            part
            for part in table.find_all(_TABLE_PARTS[1:])
            if isinstance(part, Tag) and part.find_parent("table") is table
        ]
        for part in [table, *own_parts]:
            part.name = "div"
        changed = True
    return changed
