// The voice picker: search, language filter, the list, what the voice is, and a preview. The
// Speak page and the voice changer each have one (their element ids differ by a prefix); the
// voices are fetched once for all of them.
import { getJson, request, xi } from "./api.js";

const $ = (id) => document.getElementById(id);
const names = new Intl.DisplayNames(["en"], { type: "language" });

export function languageName(code) {
  try { return `${names.of(code)} (${code})`; } catch { return code; }
}

// The catalogue's voices, asked for when a picker is first shown and again after a voice of
// one's own was made or deleted.
export class VoiceList {
  constructor() { this.asked = null; }

  get() {
    this.asked ??= getJson("/api/v1/voices").catch((error) => { this.asked = null; throw error; });
    return this.asked;
  }

  changed() { this.asked = null; }

  async languages() {
    return [...new Set((await this.get()).flatMap((voice) => voice.languages))].sort();
  }
}

export class VoicePicker {
  // prefix: "" for the ids voice, voice-search, voice-language, voice-about, voice-preview
  // and preview-audio; "sts-" for sts-voice, sts-voice-search…
  constructor(list, prefix, notify) {
    this.list = list;
    this.notify = notify;
    this.voices = null; // as last listed; kept while a new list is asked for
    this.part = (name) => $(`${prefix}${name}`);
    this.part("voice-search").addEventListener("input", () => this.listVoices());
    this.part("voice-language").addEventListener("change", () => this.listVoices());
    this.part("voice").addEventListener("change", () => this.describeVoice());
    this.part("voice-preview").addEventListener("click", () => this.preview());
  }

  get value() { return this.part("voice").value; }

  async show() {
    const voices = await this.list.get();
    if (voices === this.voices) return;
    this.voices = voices;
    const languages = await this.list.languages();
    const filter = this.part("voice-language");
    const language = filter.value;
    filter.replaceChildren(new Option("All languages", ""),
      ...languages.map((code) => new Option(languageName(code), code)));
    filter.value = languages.includes(language) ? language : "";
    this.listVoices();
  }

  listVoices() {
    if (!this.voices) return; // listed once they are here
    const words = this.part("voice-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const language = this.part("voice-language").value;
    const select = this.part("voice");
    const chosen = select.value;
    const shown = this.voices.filter((voice) => {
      const about = [voice.voice_id, voice.name, voice.accent, voice.gender, voice.description,
        voice.use_case, voice.engine].join(" ").toLowerCase();
      return (!language || voice.languages.includes(language)) && words.every((w) => about.includes(w));
    });
    select.replaceChildren(...shown.map((voice) =>
      new Option(`${voice.name} · ${voice.languages.join(", ")} · ${voice.engine}`, voice.voice_id)));
    if (shown.some((voice) => voice.voice_id === chosen)) select.value = chosen;
    else if (shown.length) select.selectedIndex = 0;
    this.describeVoice();
  }

  describeVoice() {
    const voice = this.voices.find((v) => v.voice_id === this.value);
    this.part("voice-about").textContent = voice
      ? [voice.gender, voice.age, voice.accent, voice.description].filter(Boolean).join(", ")
      : "No voice matches.";
    this.part("voice-preview").disabled = !voice;
  }

  async preview() {
    const audio = this.part("preview-audio");
    const button = this.part("voice-preview");
    button.disabled = true;
    try {
      const sample = await (await request(`/v1/voices/${encodeURIComponent(this.value)}/preview`,
        { headers: xi() })).blob();
      if (audio.src) URL.revokeObjectURL(audio.src);
      audio.src = URL.createObjectURL(sample);
      audio.controls = true;
      audio.hidden = false;
      await audio.play().catch(() => {}); // a browser may refuse to start sound; the controls stay
    } catch (error) {
      this.notify(error);
    } finally {
      button.disabled = false;
    }
  }
}
