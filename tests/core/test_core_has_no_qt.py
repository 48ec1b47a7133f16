import subprocess
import sys
import textwrap


def test_importing_every_core_module_loads_no_qt():
    script = textwrap.dedent("""
        import importlib, pkgutil, sys
        import valley.core as core
        for m in pkgutil.iter_modules(core.__path__):
            importlib.import_module("valley.core." + m.name)
        bad = sorted(n for n in sys.modules
                     if n.split(".")[0] in ("PyQt6", "PySide6", "pyqtgraph") or n.startswith("valley.app"))
        print(",".join(bad))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in: {out.stdout.strip()}"
