"""Tasks: long-text synthesis jobs that survive restarts."""
