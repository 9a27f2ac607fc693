"""Dubbing (ElevenLabs ``/v1/dubbing``): an upload's speech spoken again, speaker by speaker,
on its own timing, over its own background.

    resource  the project's segments and speakers as the dubbing resource keeps them, and
              their edits (``voicer.dubbing.resource``)
    voicing   recognition, the background, a voice for each speaker, the mix
              (``voicer.dubbing.voicing``)
    tasks     projects made in the background, with progress, charged and refunded
              (``voicer.dubbing.tasks``)
"""
