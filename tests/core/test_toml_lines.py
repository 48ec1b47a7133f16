"""Lines of keys in TOML text: inside their own table, the n-th array element, dotted keys."""
from valley.core.toml_lines import LineIndex, format_key

TEXT = """\
title = "x"
[[optimizers]]
kind = "sgd"
[optimizers.hyperparameters]
lr = 0.1
[[optimizers]]
kind = "adam"
hyperparameters.lr = 0.2
[view]
theme = "dark"
"""


def test_format_key():
    assert format_key(("optimizers", 2, "hyperparameters", "lr")) == "optimizers[2].hyperparameters.lr"
    assert format_key(("start", 1)) == "start[1]" and format_key(()) == ""


def test_a_key_is_found_in_its_own_table_and_array_element():
    index = LineIndex(TEXT)
    assert index.line_of(("title",)) == 1
    assert index.line_of(("optimizers", 0, "kind")) == 3
    assert index.line_of(("optimizers", 0, "hyperparameters", "lr")) == 5
    assert index.line_of(("optimizers", 1, "kind")) == 7
    assert index.line_of(("optimizers", 1, "hyperparameters", "lr")) == 8  # a dotted key
    assert index.line_of(("view", "theme")) == 10


def test_a_missing_key_is_reported_at_its_table_header():
    index = LineIndex(TEXT)
    assert index.line_of(("view", "speed")) == 9
    assert index.line_of(("steps",)) is None
