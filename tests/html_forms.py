"""Forms read from a page as a browser submits them (the HTML standard's form data set), for tests.

Tests post back what a page really offers, instead of a dictionary written by hand
that drifts from the form: hidden fields (the version a form was opened at, CSRF,
formset management) included.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.http import QueryDict


@dataclass
class Form:
    action: str
    method: str
    id: str
    # (name, value) in document order, as a browser would send them.
    fields: list[tuple[str, str]] = field(default_factory=list)
    # Every checkbox's name, ticked or not (to tick one that a test wants set).
    checkboxes: set[str] = field(default_factory=set)
    # Every <select>'s name and the values of its options.
    selects: dict[str, list[str]] = field(default_factory=dict)

    def data(self, **changes) -> QueryDict:
        """The data set with ``changes`` applied: a value replaces a field's, None removes it."""
        data = QueryDict(mutable=True)
        for name, value in self.fields:
            data.appendlist(name, value)
        for name, value in changes.items():
            data.pop(name, None)
            if value is not None:
                data.setlist(name, value if isinstance(value, list) else [value])
        return data

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def names(self) -> set[str]:
        return {name for name, _ in self.fields} | self.checkboxes | set(self.selects)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool, str]]] | None = None
        self._option: list | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self._form = Form(action=attributes.get("action") or "", method=method, id=attributes.get("id") or "")
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attributes.get("name")
        disabled = "disabled" in attributes
        if tag == "input" and name and not disabled:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self._form.checkboxes.add(name)
                if "checked" in attributes:
                    self._form.fields.append((name, attributes.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form.fields.append((name, attributes.get("value") or ""))
        elif tag == "textarea" and name and not disabled:
            self._textarea = (name, [])
        elif tag == "select" and name and not disabled:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option = [attributes.get("value"), "selected" in attributes, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            self._form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._select[1].append((value if value is not None else "".join(text).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            self._form.selects[name] = [value for value, _ in options]
            chosen = [value for value, selected in options if selected] or [value for value, _ in options[:1]]
            self._form.fields.extend((name, value) for value in chosen[:1])
            self._select = None


def forms_in(page: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


def post_forms(page: str) -> list[Form]:
    """The page's POST forms, but the admin's sign-out button (a form of its own in every page's header) and
    a claim's Publish / Unpublish button (claims.admin.publication)."""
    return [
        form for form in forms_in(page) if form.method == "post" and form.id not in ("logout-form", "publication-form")
    ]


def post_form(page: str) -> Form:
    """The page's one POST form (the sign-out button aside)."""
    posted = post_forms(page)
    assert len(posted) == 1, f"expected one POST form, found {[form.id for form in posted]}"
    return posted[0]
