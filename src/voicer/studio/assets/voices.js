// The Voices page: the caller's own voices (cloned or designed), design one from a description
// (three previews, keep one), clone one from reference audio, delete one.
import { request, xi } from "./api.js";

const $ = (id) => document.getElementById(id);
const OWN = new Set(["cloned", "generated"]);
const KINDS = { cloned: "Cloned", generated: "Designed" };

function bytes(base64, type) {
  const raw = atob(base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return new Blob([out], { type });
}

function button(text, label, onClick, kind = "quiet") {
  const made = document.createElement("button");
  made.type = "button";
  made.className = kind;
  made.textContent = text;
  made.setAttribute("aria-label", label);
  made.addEventListener("click", onClick);
  return made;
}

export class Voices {
  constructor(notify, changed) {
    this.notify = notify;
    this.changed = changed; // tells the voice pickers
    this.description = "";
    $("design-form").addEventListener("submit", (event) => { event.preventDefault(); this.design(); });
    $("clone-form").addEventListener("submit", (event) => { event.preventDefault(); this.clone(); });
  }

  async show() {
    const { voices } = await (await request("/v1/voices", { headers: xi() })).json();
    const own = voices.filter((voice) => OWN.has(voice.category));
    $("voices-empty").hidden = own.length > 0;
    $("voices-table").querySelector("tbody").replaceChildren(...own.map((voice) => {
      const row = document.createElement("tr");
      for (const text of [voice.name, KINDS[voice.category], voice.description || ""]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      const actions = document.createElement("td");
      actions.append(button("Delete", `Delete ${voice.name}`, () => this.remove(voice), "danger"));
      row.append(actions);
      return row;
    }));
  }

  async design() {
    this.notify(null);
    this.description = $("design-description").value.trim();
    $("design-submit").disabled = true;
    $("design-previews").replaceChildren();
    $("keep-settings").hidden = true;
    $("design-status").textContent = "Making three previews…";
    try {
      const answer = await (await request("/v1/text-to-voice/design", {
        method: "POST", headers: { ...xi(), "Content-Type": "application/json" },
        body: JSON.stringify({ voice_description: this.description }),
      })).json();
      $("design-previews").replaceChildren(...answer.previews.map((preview, n) => {
        const item = document.createElement("li");
        const name = `Preview ${n + 1}`;
        const text = document.createElement("span");
        text.textContent = `${name} · ${preview.duration_secs.toFixed(1)} s`;
        item.append(text,
          button(`▶ Play`, `Play ${name}`, () => this.play(preview)),
          button("Keep", `Keep ${name}`, () => this.keep(preview), ""));
        return item;
      }));
      if (!$("design-name").value) $("design-name").value = this.description.slice(0, 60);
      $("keep-settings").hidden = false;
      $("design-status").textContent = "Play the previews, then keep one.";
    } catch (error) {
      this.notify(error);
      $("design-status").textContent = "";
    } finally {
      $("design-submit").disabled = false;
    }
  }

  async play(preview) {
    const audio = $("design-audio");
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(bytes(preview.audio_base_64, preview.media_type));
    audio.hidden = false;
    await audio.play().catch(() => {}); // a browser may refuse to start sound; the controls stay
  }

  async keep(preview) {
    this.notify(null);
    const name = $("design-name").value.trim() || this.description.slice(0, 60);
    try {
      await request("/v1/text-to-voice", {
        method: "POST", headers: { ...xi(), "Content-Type": "application/json" },
        body: JSON.stringify({ voice_name: name, voice_description: this.description,
          generated_voice_id: preview.generated_voice_id }),
      });
      $("design-status").textContent = `Kept “${name}”.`;
      $("design-previews").replaceChildren();
      $("keep-settings").hidden = true;
      $("design-name").value = "";
      $("design-audio").hidden = true;
      this.changed();
      await this.show();
    } catch (error) {
      this.notify(error);
    }
  }

  async clone() {
    this.notify(null);
    const form = new FormData();
    form.append("name", $("clone-name").value.trim());
    for (const file of $("clone-files").files) form.append("files", file);
    $("clone-submit").disabled = true;
    const started = Date.now();
    const tick = () => {
      $("clone-status").textContent =
        `Cloning: measuring the reference… ${Math.round((Date.now() - started) / 1000)} s (about 20 s)`;
    };
    tick();
    const ticking = setInterval(tick, 1000);
    try {
      await request("/v1/voices/add", { method: "POST", headers: xi(), body: form });
      $("clone-status").textContent = `Cloned “${$("clone-name").value.trim()}”.`;
      $("clone-form").reset();
      this.changed();
      await this.show();
    } catch (error) {
      this.notify(error);
      $("clone-status").textContent = "";
    } finally {
      clearInterval(ticking);
      $("clone-submit").disabled = false;
    }
  }

  async remove(voice) {
    this.notify(null);
    try {
      await request(`/v1/voices/${encodeURIComponent(voice.voice_id)}`, { method: "DELETE", headers: xi() });
      this.changed();
      await this.show();
    } catch (error) {
      this.notify(error);
    }
  }
}
