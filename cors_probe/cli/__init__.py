"""The shell: typer commands that turn options into input values, call one use case each, hand the
result to render and return an exit code. `app.py` holds the app and `main()`."""
