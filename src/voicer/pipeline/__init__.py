"""The synthesis pipeline: plan the chunks, render them in worker processes, assemble."""
