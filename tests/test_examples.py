"""Every script in examples/ runs to completion (quick settings through the environment)."""

import subprocess
import sys
from pathlib import Path

import pytest
from checkout import checkout_env

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("*.py"))


# The settings a script documents beside its defaults, each run on the quick data: one epoch
# left a schedule with nothing to anneal (CosineAnnealingLR's T_max=0); an output folder the
# user names need not exist yet.
SETTINGS = {"train_resnet20.py": [("--epochs", "1"), ("--epochs", "3", "--batch-size", "16")],
            "draw_lenet.py": [("pictures",)], "resnet_block.py": [("pictures",)]}


def _run(script: Path, args: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess:
    env = checkout_env(TINYGRAD_CNN_QUICK="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT / "examples")))
def test_example_runs(script, tmp_path):
    result = _run(script, (), tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]


@pytest.mark.parametrize("script, args", [(name, args) for name, settings in SETTINGS.items()
                                          for args in settings], ids=str)
def test_example_runs_at_its_documented_settings(script, args, tmp_path):
    result = _run(ROOT / "examples" / script, args, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    if "--epochs" in args:  # a line per epoch, then the end
        assert result.stdout.count("test accuracy") == int(args[1]) + 1
    else:
        assert (tmp_path / args[0]).is_dir()
