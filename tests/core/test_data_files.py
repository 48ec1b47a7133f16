"""Your own data from a CSV file, and errors that name the file, line and column of the first bad cell."""
import os

import numpy as np
import pytest

from valley.core import limits
from valley.core.datasets import DatasetError, DatasetFileError, dataset_from_points, load_csv


def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_classification_with_a_header(tmp_path):
    rows = "\n".join(f"{x},{-x},{i % 2}" for i, x in enumerate(np.linspace(-2, 2, 10)))
    d = load_csv(write(tmp_path, "x1,x2,label\n" + rows + "\n"), train_fraction=0.7, seed=1)
    assert d.name == "points" and d.kind == "classification" and d.classes == 2
    assert d.X_train.shape == (7, 2) and d.T_train.shape == (7, 1) and len(d.X_test) == 3
    # Every row arrives, whole, with its own label.
    got = sorted(map(tuple, np.column_stack([d.X, d.T])))
    assert got == sorted((x, -x, float(i % 2)) for i, x in enumerate(np.linspace(-2, 2, 10)))
    (x0, x1), (y0, y1) = d.bounds
    assert x0 < -2 and x1 > 2 and y0 < -2 and y1 > 2
    again = load_csv(tmp_path / "points.csv", train_fraction=0.7, seed=1)
    assert np.array_equal(d.X_train, again.X_train)


def test_semicolons_decimal_commas_no_header_three_classes(tmp_path):
    text = "# measured in the lab\n1,5;2;0\n\n-1;0,25;1\n3;3;2\n0;0;2\n4;1;1\n"
    d = load_csv(write(tmp_path, text))
    assert d.kind == "classification" and d.classes == 3 and d.T.shape == (5, 3)
    by_point = {tuple(x): int(c) for x, c in zip(d.X, d.labels)}
    assert by_point == {(1.5, 2.0): 0, (-1.0, 0.25): 1, (3.0, 3.0): 2, (0.0, 0.0): 2, (4.0, 1.0): 1}


def test_regression_by_header_by_values_and_by_request(tmp_path):
    rows = "0,0,1\n1,0,2\n0,1,3\n1,1,4\n2,2,5\n"
    assert load_csv(write(tmp_path, "a,b,target\n" + rows)).kind == "regression"
    assert load_csv(write(tmp_path, rows.replace("5\n", "5.5\n"))).kind == "regression"
    d = load_csv(write(tmp_path, rows), kind="regression")
    assert d.kind == "regression" and sorted(d.T[:, 0]) == [1, 2, 3, 4, 5]
    with pytest.raises(DatasetError, match="kind must be"):
        load_csv(write(tmp_path, rows), kind="clustering")


def test_tabs_as_a_spreadsheet_copies_them(tmp_path):
    d = load_csv(write(tmp_path, "x1\tx2\ttarget\n0\t0\t1.5\n1\t0\t2\n0\t1\t3\n1\t1\t4\n"))
    assert d.kind == "regression" and sorted(d.T[:, 0]) == [1.5, 2, 3, 4]


def test_a_byte_order_mark_a_trailing_separator_and_crlf_are_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffx1,x2,label,\r\n0,0,0,\r\n1,0,1,\r\n0,1,1,\r\n1,1,0,\r\n".encode("utf-8"))
    d = load_csv(path)
    assert len(d.X) == 4 and d.classes == 2


@pytest.mark.parametrize("text, line, column, fragment", [
    ("x1,x2,label\n0,0,0\n1,abc,1\n", 3, 2, "column 2 (x2): 'abc' is not a finite number"),
    ("0,0,0\n1,1\n", 2, 3, "column 3 (label or target): the column is missing"),
    ("0,0,0\n1;1\n", 2, 2, "column 2 (x2): the column is missing: each row has three cells, x1, x2, "
                         "label or target, separated by commas"),
    ("0 0 0\n1 1 1\n", 1, None, "the header names 1 columns; a data file has three"),
    ("x;y;label\n0;0;0\n1;1\n", 3, 3, "column 3 (label): the column is missing"),
    ("0,0,0\n1,,1\n", 2, 2, "column 2 (x2): empty"),
    ("0,0,0\n1,1,1,7\n", 2, 4, "an extra cell '7'"),
    ("0,0,0\n1,nan,1\n", 2, 2, "'nan' is not a finite number"),
    ("0,0,0\n1e13,0,1\n", 2, 1, "outside the plane Valley draws"),
    ("x,y,label\n0,0,0\n1,1,1\n2,2,1.5\n3,3,0\n", 4, 3, "column 3 (label): 1.5 is not a class"),
    ("x,y,class\n0,0,0\n1,1,-1\n", 3, 3, "-1 is not a class: labels are whole numbers from 0 to 4"),
    ("x,y,label\n0,0,0\n1,1,7\n", 3, 3, "7 is not a class"),
    ("x1,x2\n0,0\n", 1, None, "the header names 2 columns"),
])
def test_errors_name_the_file_line_and_column(tmp_path, text, line, column, fragment):
    path = write(tmp_path, text)
    with pytest.raises(DatasetFileError) as caught:
        load_csv(path)
    error = caught.value
    assert (error.path, error.line, error.column) == (str(path), line, column)
    assert str(error).startswith(f"{path}, line {line}") and fragment in str(error)
    assert isinstance(error, DatasetError) and isinstance(error, ValueError)


def test_the_first_bad_cell_is_named_whatever_it_is(tmp_path):
    path = write(tmp_path, "x,y,label\n0,0,0\n1,1,0.5\n2,oops,1\n")
    with pytest.raises(DatasetFileError, match="line 3, column 3"):
        load_csv(path)


def test_a_label_that_is_not_a_class_when_classifying_by_request(tmp_path):
    path = write(tmp_path, "0,0,0\n1,1,1\n2,2,0.25\n3,3,1\n")
    assert load_csv(path).kind == "regression"
    with pytest.raises(DatasetFileError, match="line 3, column 3 .label.: 0.25 is not a class"):
        load_csv(path, kind="classification")


def test_too_many_rows_names_the_first_line_over_the_limit(tmp_path):
    rows = [f"{i % 7},{i % 5},{i % 2}\n" for i in range(limits.SAMPLES.hi + 1)]
    path = write(tmp_path, "x1,x2,label\n" + "".join(rows))
    with pytest.raises(DatasetFileError) as caught:
        load_csv(path)
    assert caught.value.line == limits.SAMPLES.hi + 2 and f"more than {limits.SAMPLES.hi} points" in str(caught.value)
    assert len(load_csv(write(tmp_path, "".join(rows[:-1]))).X) == limits.SAMPLES.hi


def test_file_level_problems(tmp_path):
    def problem(path, **kwargs):
        with pytest.raises(DatasetFileError) as caught:
            load_csv(path, **kwargs)
        assert caught.value.line is None and str(caught.value).startswith(str(path))
        return str(caught.value)

    assert "no such file" in problem(tmp_path / "missing.csv")
    assert "not a regular file" in problem(tmp_path)
    big = tmp_path / "big.csv"
    big.write_bytes(b"0,0,0\n" * (limits.DATA_FILE_BYTES // 6 + 1))
    assert f"a data file may have at most {limits.DATA_FILE_BYTES:,}" in problem(big)
    assert "has 2 points; a dataset needs at least 4" in problem(write(tmp_path, "0,0,0\n1,1,1\n"))
    assert "has 0 points" in problem(write(tmp_path, ""))
    assert "every point has label 1" in problem(write(tmp_path, "0,0,1\n1,1,1\n2,2,1\n3,3,1\n"))
    assert "no point has label 1" in problem(write(tmp_path, "0,0,0\n1,1,2\n2,2,0\n3,3,2\n"))


def test_not_text_names_the_line(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"0,0,0\n1,1,1\n\xff\xfe,2,0\n")
    with pytest.raises(DatasetFileError, match="line 3: is not UTF-8 text"):
        load_csv(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_pipe_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DatasetFileError, match="not a regular file"):
        load_csv(fifo)  # opening it would wait for a writer forever


def test_dataset_from_points_holds_explicit_points():
    X = np.array([[0.0, 0], [1, 0], [0, 1], [1, 1], [2, 2]])
    d = dataset_from_points("clicked", "classification", X, [0, 1, 2, 1, 0], train_fraction=0.6)
    assert d.classes == 3 and len(d.X_train) == 3 and len(d.X_test) == 2
    assert sorted(map(tuple, d.X)) == sorted(map(tuple, X))
    with pytest.raises(DatasetError, match="a dataset has from 4 to 5000 points, got 2"):
        dataset_from_points("clicked", "classification", X[:2], [0, 1])
    with pytest.raises(DatasetError, match="class labels must be whole numbers from 0 to 1"):
        dataset_from_points("clicked", "classification", X, [0, 1, 0.5, 1, 0])
    with pytest.raises(DatasetError, match="class labels must be whole numbers from 0 to 2"):
        dataset_from_points("clicked", "classification", X, [0, 1, 3, 1, 0], classes=3)
    with pytest.raises(DatasetError, match="a classification has from 2 to 5 classes, got 1"):
        dataset_from_points("clicked", "classification", X, [0, 0, 0, 0, 0])
    with pytest.raises(DatasetError, match="coordinates must be in"):
        dataset_from_points("clicked", "regression", X * 1e13, [0, 1, 2, 1, 0])
    # A class may be empty for now (a scene's points being clicked in, class by class).
    four = dataset_from_points("clicked", "classification", X, [0, 1, 0, 1, 0], classes=4)
    assert four.classes == 4 and four.T.shape == (5, 4) and four.T[:, 2:].sum() == 0
