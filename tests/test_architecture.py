import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_layer_contract_of_style_md_holds():
    lint_imports = Path(sys.executable).parent / "lint-imports"

    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout
