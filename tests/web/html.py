"""A small HTML reader for the tests: elements with their attributes and text, no dependency."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    text: str = ""
    children: list["Element"] = field(default_factory=list)
    parent: "Element | None" = field(default=None, repr=False, compare=False)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def all_text(self) -> str:
        return " ".join((self.text + " " + " ".join(child.all_text() for child in self.children)).split())


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]
        self.elements: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(element)
        self.elements.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        self.stack[-1].text += data


class Page:
    def __init__(self, content: bytes | str):
        parser = _Parser()
        parser.feed(content.decode() if isinstance(content, bytes) else content)
        self.elements = parser.elements

    def find_all(self, tag: str | None = None, **attrs) -> list[Element]:
        found = []
        for element in self.elements:
            if tag and element.tag != tag:
                continue
            if all(self._matches(element, name, value) for name, value in attrs.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, **attrs) -> Element | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Element | None:
        return self.find(id=element_id)

    @staticmethod
    def _matches(element: Element, name: str, value) -> bool:
        name = name.rstrip("_").replace("_", "-")
        if name == "class":
            return value in element.classes
        if value is True:
            return name in element.attrs
        return element.attrs.get(name) == value

    def ids(self) -> list[str]:
        return [element.attrs["id"] for element in self.elements if element.attrs.get("id")]

    def dangling_references(self) -> list[str]:
        """Ids that for=, aria-describedby=, aria-labelledby= or aria-controls= name but no element has."""
        ids = set(self.ids())
        missing = []
        for element in self.elements:
            for name in ("for", "aria-describedby", "aria-labelledby", "aria-controls"):
                for ref in (element.attrs.get(name) or "").split():
                    if ref not in ids:
                        missing.append(f"{element.tag}[{name}={ref}]")
        return missing


def assert_well_formed(content: bytes | str) -> Page:
    """Unique ids, and every id a label or ARIA attribute points to exists."""
    page = Page(content)
    ids = page.ids()
    duplicates = sorted({element_id for element_id in ids if ids.count(element_id) > 1})
    assert not duplicates, f"duplicate ids: {duplicates}"
    assert not page.dangling_references(), page.dangling_references()
    return page
