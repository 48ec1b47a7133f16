from valley.app.cli import run

run()
