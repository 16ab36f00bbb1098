"""The layers of the architecture hold (.importlinter): the check of `make lint`, run by `make test` too."""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
from django.conf import settings

# common is the bottom layer: Django, DRF and the standard library, and redis for the cache backend (the client
# library of Django's own Redis cache).
ALLOWED_IN_COMMON = {"django", "rest_framework", "redis"}


def _lint_imports() -> str:
    beside_python = Path(sys.executable).with_name("lint-imports")
    return str(beside_python) if beside_python.exists() else shutil.which("lint-imports") or "lint-imports"


def test_the_import_contracts_are_kept():
    result = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300
    )

    report = result.stdout.partition("Broken contracts")[2] or result.stdout[-3000:] + result.stderr
    assert result.returncode == 0, f"lint-imports found broken contracts (see .importlinter):\n{report}"


def test_common_imports_only_django_drf_and_the_standard_library():
    graph = grimp.build_graph("common", include_external_packages=True)

    outside = sorted(
        f"{module} -> {imported}"
        for module in graph.modules
        if module == "common" or module.startswith("common.")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] not in {"common", *ALLOWED_IN_COMMON, *sys.stdlib_module_names}
    )
    assert outside == []
