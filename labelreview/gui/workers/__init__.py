"""Worker threads: the task runner and the background jobs it runs beside the window's run."""
