"""Developer and test tooling: browser checks, screenshots (outside the installed package)."""
