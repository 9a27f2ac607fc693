"""Request and response bodies of the Voicer API, with the seed's examples."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from voicer import loudness
from voicer.api.schemas_elevenlabs import DictionaryLocator
from voicer.books import TextFormat
from voicer.encoding.formats import DEFAULT_FORMAT
from voicer.models import DEFAULT_MODEL_ID
from voicer.pauses import PausePlan
from voicer.pipeline.plan import MAX_TEXT_CHARACTERS, SynthesisOptions
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.settings import DEFAULT_CHUNK_LIMIT
from voicer.tasks.service import TaskView
from voicer.text import SplitType
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings
from voicer.voices import DEFAULT_VOICE_ID

SYNTHESIZE_EXAMPLES: dict[str, Any] = {
    "basic": {"summary": "Пример 1: Базовая озвучка", "value": {
        "text": "Привет! Это простой пример.", "voice_id": "21m00Tcm4TlvDq8ikWAM",
        "model_id": "eleven_multilingual_v2"}},
    "audiobook": {"summary": "Пример 2: Аудиокнига с паузами", "value": {
        "text": "Глава 1. Текст главы...\n\nГлава 2. Текст главы...", "split_type": "paragraphs",
        "auto_pause_enabled": True, "auto_pause_duration": 1.5, "auto_pause_frequency": 1}},
    "course": {"summary": "Пример 3: Обучающий курс", "value": {
        "text": "Вопрос 1? Вопрос 2? Вопрос 3?", "split_type": "sentences",
        "auto_pause_enabled": True, "auto_pause_duration": 5.0, "auto_pause_frequency": 1}},
    "podcast": {"summary": "Пример 4: Подкаст с секциями", "value": {
        "text": "Длинный текст подкаста...", "split_type": "smart", "auto_pause_enabled": True,
        "auto_pause_duration": 3.0, "auto_pause_frequency": 10}},
    "meditation": {"summary": "Пример 5: Медитация", "value": {
        "text": "Вдох. Задержите дыхание. Выдох.", "split_type": "sentences",
        "auto_pause_enabled": True, "auto_pause_duration": 15.0,
        "voice_settings": {"stability": 0.8}}},
    "voice_settings": {"summary": "Приклад запиту з налаштуваннями голосу", "value": {
        "text": "Привіт! Це тестовий текст, щоб перевірити всі налаштування.",
        "voice_id": "21m00Tcm4TlvDq8ikWAM", "model_id": "eleven_multilingual_v2",
        "split_type": "smart", "auto_pause_enabled": True, "auto_pause_duration": 1.5,
        "voice_settings": {"stability": 0.5, "similarity_boost": 0.75, "style": 0.0,
                           "use_speaker_boost": True}}},
}


LoudnessPreset = Literal["podcast", "audiobook", "acx", "broadcast", "off"]


class SynthesizeRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARACTERS,
                      description="Text to speak, 1 to 1,000,000 characters; with text_format "
                                  "epub, the EPUB file base64-encoded")
    voice_id: str = Field(DEFAULT_VOICE_ID, description="See GET /api/v1/voices")
    model_id: str = Field(DEFAULT_MODEL_ID, description="See GET /api/v1/models")
    split_type: SplitType = Field(SplitType.smart, description="smart, sentences, paragraphs, max_length")
    split_output: bool = Field(False, description="false: one merged file; true: a ZIP of chunks")
    auto_pause_enabled: bool = False
    auto_pause_duration: float = Field(0.5, ge=0.1, le=30.0, description="Seconds, 0.1-30")
    auto_pause_frequency: int = Field(1, ge=1, le=100, description="Every N-th chunk, 1-100")
    voice_settings: VoiceSettings | None = None
    output_format: str = Field(DEFAULT_FORMAT.name,
                               description="codec_rate[_kbps], as ElevenLabs: mp3_44100_128, "
                                           "pcm_16000, wav_24000, ulaw_8000, opus_48000_64, ...; "
                                           "an audiobook: m4b_44100_64, m4b_44100_128, m4b_24000_64")
    language_code: str | None = Field(None, description="ISO 639-1; detected per chunk if absent")
    max_chunk_length: int = Field(DEFAULT_CHUNK_LIMIT, ge=50,
                                  description="Characters per chunk, at most the model's limit")
    pronunciation_dictionary_locators: list[DictionaryLocator] | None = Field(
        None, max_length=3, description="Up to 3 of your pronunciation dictionaries (id and "
        "optional version_id), applied in order, as in ElevenLabs text to speech")
    apply_text_normalization: Normalization = Field(
        Normalization.auto, description="auto, on or off, as ElevenLabs: read numbers, dates, "
        "money, units and abbreviations as said (English, Russian, Ukrainian); auto is on for "
        "the local engines")
    webhook_url: str | None = Field(
        None, description="POSTed a signed task.completed or task.failed event; default: your "
        "own (PUT /api/v1/user/webhook); private addresses are refused")
    text_format: TextFormat = Field(
        TextFormat.plain, description="plain; markdown or html: headings make chapters; epub: "
        "text is an EPUB file, base64-encoded, whose table of contents (else headings) makes "
        "chapters. A book's chapters are marked in an MP3 (ID3 chapters) or m4b output")
    chapter_pause: float = Field(2.0, ge=0.1, le=30.0,
                                 description="Seconds of silence after each chapter, 0.1-30")
    loudness: Annotated[float, Field(ge=-40.0, le=-5.0)] | LoudnessPreset = Field(
        -16.0, description="Integrated loudness every chunk is brought to, LUFS (-40 to -5), or "
        "a preset: podcast (-16 LUFS, -1 dBTP), audiobook (-18, -3), acx (-20, -3), broadcast "
        "(-23, -1); off: as the engine spoke it")
    true_peak: float | None = Field(None, ge=-9.0, le=0.0,
                                    description="True-peak ceiling, dBTP (-9 to 0); default -1, "
                                                "or the preset's")
    verify: bool = Field(False, description="hear every chunk back with the local Whisper model "
                                            "once rendered: each chunk's word error rate in the "
                                            "ZIP manifest, the worst chunks in the status; an "
                                            "upstream voice's bad chunk is rendered again")

    def options(self, lexicon: tuple[AliasRule | PhonemeRule, ...] = ()) -> SynthesisOptions:
        return SynthesisOptions(
            voice_id=self.voice_id, model_id=self.model_id, language_code=self.language_code,
            split_type=self.split_type, max_chunk=self.max_chunk_length,
            split_output=self.split_output,
            pauses=PausePlan(enabled=self.auto_pause_enabled, duration=self.auto_pause_duration,
                             frequency=self.auto_pause_frequency),
            voice_settings=self.voice_settings or VoiceSettings(),
            output_format=self.output_format,
            apply_text_normalization=self.apply_text_normalization,
            lexicon=lexicon, webhook_url=self.webhook_url, text_format=self.text_format,
            chapter_pause=self.chapter_pause,
            loudness=loudness.target(self.loudness, self.true_peak), verify=self.verify,
        )


class SynthesizeResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "task_id": "550e8400-e29b-41d4-a716-446655440000", "status": "pending",
        "message": "Задача успешно создана и добавлена в очередь", "chunks_count": 3,
        "estimated_time": 45.5}]})

    task_id: str
    status: str
    message: str
    chunks_count: int
    estimated_time: float


class TaskStatusResponse(TaskView):
    """A task as the API shows it: with where to download its output, once completed."""

    download_url: str | None


class TaskList(BaseModel):
    tasks: list[TaskStatusResponse]
    total: int
    limit: int
    offset: int


class VoiceInfo(BaseModel):
    """A voice as the Voicer API lists it: the catalogue's public fields, read off the Voice."""

    model_config = ConfigDict(from_attributes=True)

    voice_id: str
    name: str
    languages: list[str]
    gender: str
    age: str
    accent: str
    description: str
    use_case: str
    long_description: str
    engine: str  # the name of the registered engine that speaks it


class ModelInfo(BaseModel):
    model_id: str
    name: str
    description: str
    multilingual: bool
    max_characters_per_request: int
    engine: str  # the name of the registered engine that speaks it
