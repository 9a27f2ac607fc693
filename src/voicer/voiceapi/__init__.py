"""The Voice API's own ideas: speaker scripts with emotion cues, and its text-to-speech tasks."""
