"""The floor for the submission benchmark: a bare Flask endpoint, served by the same gunicorn
settings as the app, so ``floor_rps`` shows what the server and the load generator can do
before any of Gõ Cửa's own work."""

from flask import Flask

app = Flask(__name__)


@app.post("/logs/new")
def submit():
    return "ok"
