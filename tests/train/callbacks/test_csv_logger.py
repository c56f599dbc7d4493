"""CSVLogger: a header and a row per epoch, flushed as each epoch ends; append mode."""

import csv

import pytest
from training_runs import blobs, make_classifier

from tinygrad_cnn.train.callbacks import CSVLogger, LambdaCallback


def read(path, delimiter=","):
    with path.open(newline="") as file:
        return list(csv.reader(file, delimiter=delimiter))


def test_each_epoch_is_a_row_of_its_logs_written_as_it_ends(tmp_path):
    path = tmp_path / "log.csv"
    rows_seen = []
    peek = LambdaCallback(on_epoch_end=lambda c, e, logs: rows_seen.append(len(read(path))))
    history = make_classifier(epochs=3).fit(*blobs(), validation_split=0.25,
                                            callbacks=[CSVLogger(path), peek])
    rows = read(path)
    assert rows[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    for i, row in enumerate(rows[1:]):
        assert [float(v) for v in row[1:]] == [history[name][i] for name in rows[0][1:]]
    assert rows_seen == [2, 3, 4]  # readable while training runs


def test_append_adds_rows_under_one_header(tmp_path):
    path = tmp_path / "log.tsv"
    clf = make_classifier(epochs=2)
    clf.fit(*blobs(), callbacks=[CSVLogger(path, separator="\t")])
    clf.fit(*blobs(), callbacks=[CSVLogger(path, separator="\t", append=True)])
    rows = read(path, "\t")
    assert rows[0] == ["epoch", "loss", "accuracy", "lr", "seconds"] and len(rows) == 5
    clf.fit(*blobs(), callbacks=[CSVLogger(path, separator="\t")])  # replaces the file
    assert len(read(path, "\t")) == 3


def test_a_missing_folder_is_refused_before_training(tmp_path):
    clf = make_classifier()
    with pytest.raises(FileNotFoundError, match=r"CSVLogger: cannot write .* does not exist"):
        clf.fit(*blobs(), callbacks=[CSVLogger(tmp_path / "no" / "log.csv")])
    assert clf.history.loss == []
