"""Reading rendered pages in tests: which error sits beside which field, what a field holds."""
import html
import re


def field_block(page: str, name: str) -> str:
    """The `<div class="field …">` that holds the control named `name` (its label, hint and errors)."""
    for block in re.split(r'(?=<div class="field)', page):
        if re.search(rf'<(input|select|textarea)\b[^>]*\bname="{re.escape(name)}"', block):
            return block.split("</div>", 1)[0]
    raise AssertionError(f"no field named {name!r} in the page")


def errors_beside(page: str, name: str) -> list[str]:
    """The error messages shown in the same field block as the control `name`."""
    block = field_block(page, name)
    return [html.unescape(m) for m in re.findall(r'<p class="error" id="[^"]+-error">(.*?)</p>', block, re.S)]


def all_errors(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="error" id="[^"]+-error">(.*?)</p>', page, re.S)]


def value_of(page: str, name: str) -> str | None:
    """The value the first text input, textarea or select named `name` shows."""
    start = re.search(rf'<(input|select|textarea)\b[^>]*\bname="{re.escape(name)}"', page)
    assert start, f"no control named {name!r}"
    block = page[start.start():]
    tag = re.search(rf'<(input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', block)
    kind = tag.group(1)
    if kind == "input":
        value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
        return html.unescape(value.group(1)) if value else None
    if kind == "textarea":
        return html.unescape(re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", block, re.S).group(1))
    selected = re.search(r'<option[^>]*\bselected\b[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*\bselected', block)
    return html.unescape(selected.group(1) or selected.group(2)) if selected else None


def is_checked(page: str, name: str, value: str | None = None) -> bool:
    pattern = rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>'
    for tag in re.findall(pattern, page):
        if value is None or f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no input {name!r}")
