"""Server-drawn bar charts: well-formed SVG named by its title and description, one bar per value, labels
escaped, and an empty chart that says so."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils.safestring import SafeString

from parcours.utils.svg_charts import BAR_CLASS, EMPTY_TEXT, horizontal_bar_chart, number_label, vertical_bar_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = [("janv. 2025", 3), ("févr. 2025", 0), ("mars 2025", 12), ("avr. 2025", 6)]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own markup)


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{{{NS['svg']}}}rect") if rect.get("class") == BAR_CLASS]


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{{{NS['svg']}}}text")]


def vertical(data=MONTHS, **kwargs):
    options = {
        "chart_id": "graphique-demandes",
        "title": "Demandes d’inscription par mois",
        "description": "Diagramme en barres : 21 demandes.",
        "data": data,
        "x_label": "Mois",
        "y_label": "Demandes",
    } | kwargs
    return vertical_bar_chart(**options)


def horizontal(data, **kwargs):
    options = {
        "chart_id": "graphique-decisions",
        "title": "Décisions par type",
        "description": "Diagramme en barres : 16 décisions.",
        "data": data,
        "x_label": "Nombre de décisions",
        "y_label": "Décision",
    } | kwargs
    return horizontal_bar_chart(**options)


@pytest.mark.parametrize("draw", [vertical, lambda: horizontal([("Accord", 4), ("Refus", 2)])])
def test_the_chart_is_an_image_named_by_its_title_and_description(draw):
    markup = draw()
    root = parse(markup)

    assert isinstance(markup, SafeString)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find("svg:title", NS).get("id") == title_id
    assert root.find("svg:desc", NS).get("id") == desc_id
    assert root.find("svg:title", NS).text in ("Demandes d’inscription par mois", "Décisions par type")
    assert root.find("svg:desc", NS).text.startswith("Diagramme en barres")
    # A fixed viewBox that scales to its column; nothing that needs scripts or inline styles (CSP).
    assert root.get("viewBox").startswith("0 0 720 ")
    assert root.get("width") == "100%"
    assert "<script" not in markup
    assert "style=" not in markup
    assert " on" not in markup.split(">")[0]


def test_one_vertical_bar_per_value_in_proportion():
    root = parse(vertical())

    found = bars(root)
    assert len(found) == 4
    heights = [float(bar.get("height")) for bar in found]
    assert heights[1] == 0
    assert heights[2] == max(heights)
    assert heights[0] == pytest.approx(heights[2] / 4, abs=0.1)
    assert heights[3] == pytest.approx(heights[2] / 2, abs=0.1)
    # Left to right, in order; each bar names its figure for pointer users.
    assert [float(bar.get("x")) for bar in found] == sorted(float(bar.get("x")) for bar in found)
    assert [bar.find("svg:title", NS).text for bar in found] == [
        "janv. 2025 : 3",
        "févr. 2025 : 0",
        "mars 2025 : 12",
        "avr. 2025 : 6",
    ]


def test_values_axis_and_labels_are_written():
    written = texts(parse(vertical()))

    for label, value in MONTHS:
        assert label in written
        assert str(value) in written
    assert "Mois" in written
    assert "Demandes" in written


def test_one_horizontal_bar_per_category_in_proportion():
    data = [("Accord de l'employeur", 8), ("Refus de l'employeur", 2), ("Annulation", 0), ("Validation", 4)]
    root = parse(horizontal(data))

    found = bars(root)
    assert len(found) == 4
    widths = [float(bar.get("width")) for bar in found]
    assert widths[0] == max(widths)
    assert widths[1] == pytest.approx(widths[0] / 4, abs=0.1)
    assert widths[2] == 0
    assert [float(bar.get("y")) for bar in found] == sorted(float(bar.get("y")) for bar in found)
    written = texts(root)
    assert "Accord de l'employeur" in written
    assert {"8", "2", "0", "4"} <= set(written)


def test_labels_are_escaped():
    hostile = '<script>alert("x")</script> & Cie'
    markup = horizontal([(hostile, 3)], title="Titre <b>gras</b>", description="A & B")
    root = parse(markup)

    assert "<script>" not in markup
    assert root.find("svg:title", NS).text == "Titre <b>gras</b>"
    assert root.find("svg:desc", NS).text == "A & B"
    assert bars(root)[0].find("svg:title", NS).text == f"{hostile} : 3"
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


def test_long_category_names_are_shortened_in_the_chart_only():
    name = "Une catégorie au nom vraiment très long, bien plus long que la colonne des noms ne le permet"
    root = parse(horizontal([(name, 1)]))

    shown = [text for text in texts(root) if text.startswith("Une catégorie")]
    assert shown[0].endswith("…")
    assert len(shown[0]) < len(name)
    assert bars(root)[0].find("svg:title", NS).text == f"{name} : 1"


@pytest.mark.parametrize("draw", [vertical, horizontal])
def test_no_data_gives_an_empty_chart_that_says_so(draw):
    root = parse(draw(data=[]))

    assert bars(root) == []
    assert EMPTY_TEXT in texts(root)


@pytest.mark.parametrize("draw", [vertical, horizontal])
def test_only_zeros_gives_flat_bars_and_the_empty_message(draw):
    root = parse(draw(data=[("Un", 0), ("Deux", 0)]))

    assert [float(bar.get("height" if draw is vertical else "width")) for bar in bars(root)] == [0, 0]
    assert EMPTY_TEXT in texts(root)


def test_crowded_charts_still_draw_every_bar():
    data = [(f"mois {index}", index * 37) for index in range(60)]
    root = parse(vertical(data=data))

    assert len(bars(root)) == 60
    assert all(float(text.get("font-size")) >= 8 for text in root.iter(f"{{{NS['svg']}}}text"))


def test_decimal_values_and_a_custom_format():
    root = parse(vertical(data=[("A", Decimal("2.5")), ("B", Decimal("5"))], value_format=lambda v: f"{v} h"))

    written = texts(root)
    assert "2.5 h" in written
    assert "5 h" in written
    assert float(bars(root)[0].get("height")) == pytest.approx(float(bars(root)[1].get("height")) / 2, abs=0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chart_id": "1 not an id"}, "chart_id"),
        ({"chart_id": 'x" onload="alert(1)'}, "chart_id"),
        ({"data": [("A", -1)]}, "≥ 0"),
        ({"data": [("A", float("nan"))]}, "≥ 0"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        vertical(**kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (1234, "1\u202f234"),
        (1234567, "1\u202f234\u202f567"),
        (Decimal("3.50"), "3,5"),
        (Decimal("12.25"), "12,25"),
        (2.0, "2"),
        (0.25, "0,25"),
    ],
)
def test_number_label_writes_french_figures(value, expected):
    assert number_label(value) == expected
