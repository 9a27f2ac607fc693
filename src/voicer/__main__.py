from voicer.cli import app

app(prog_name="voicer")
