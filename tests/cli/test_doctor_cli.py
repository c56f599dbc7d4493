"""`tinygrad-cnn doctor`: the report, the exit status, the pictures."""

from extras import require

from tinygrad_cnn.cli import main


def test_a_healthy_set_up_prints_the_report_and_exits_0(capsys):
    assert main(["doctor", "--limit", "400", "--steps", "4"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the report wraps its lines
    assert out.startswith("Diagnosis: 0 error(s), 0 warning(s), 1 note(s) - looks healthy")
    assert "LeNet5 (44,426 parameters), 400 samples" in out and "4 steps of Adam(lr=0.001)" in out


def test_an_error_exits_1(capsys):
    assert main(["doctor", "--limit", "400", "--steps", "4", "--optimizer", "sgd",
                 "--lr", "50"]) == 1
    out = capsys.readouterr().out
    assert "ERROR   diverges" in out and "SGD(lr=50)" in out


def test_o_draws_the_pictures_with_a_range_test(tmp_path, capsys):
    require("matplotlib", "plot")
    picture = tmp_path / "doctor.png"
    assert main(["doctor", "--model", "lenet5", "--limit", "256", "--steps", "3",
                 "-o", str(picture)]) == 0
    out = capsys.readouterr().out
    assert "learning-rate range test: " in out and f"wrote {picture}" in out
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_bad_flags_are_refused_before_any_work(tmp_path, capsys):
    assert main(["doctor", "--steps", "0"]) == 1
    assert "--steps must be a positive integer, got 0" in capsys.readouterr().err
    assert main(["doctor", "-o", str(tmp_path / "report.txt")]) == 1
    assert "the doctor's pictures are written as .png, .svg or .pdf" in capsys.readouterr().err
    assert main(["doctor", "--lr", "-1"]) == 1
    assert "--lr must be a positive finite number" in capsys.readouterr().err
