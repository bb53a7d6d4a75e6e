"""The browser's CORS rules, sans-I/O: standard library only."""
