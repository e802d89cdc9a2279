from reeldrop.cli import run

run()
