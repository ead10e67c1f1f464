"""The adapter written in docs/integrators.md passes the conformance kit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import communitygov as cg
from test_docs import python_blocks

DOC = Path(__file__).resolve().parent.parent / "docs" / "integrators.md"


def test_the_walkthrough_adapter_passes_the_kit(tmp_path: Path) -> None:
    module = tmp_path / "test_walkthrough_store.py"
    module.write_text("\n\n".join(python_blocks(DOC)), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout


def test_the_walkthrough_adapter_refuses_a_document_of_another_shape(tmp_path: Path) -> None:
    # Valid JSON of another shape opened, then failed with bare AttributeError and TypeError.
    (adapter,) = [block for block in python_blocks(DOC) if "class JsonFileStore" in block]
    namespace: dict[str, object] = {}
    exec(compile(adapter, str(DOC), "exec"), namespace)
    store_class = namespace["JsonFileStore"]
    assert callable(store_class)
    for text in ("[]", '{"sanwan": 1}', '{"sanwan": {}}'):
        path = tmp_path / "store.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(cg.StoreUnavailable, match="not a store's document"):
            store_class(path)
