// The audio tools that answer at once: audio isolation, the voice changer and sound effects.
// Each is a form whose answer is audio to play and download; dubbing, made in the background,
// is dubbing.js.
import { request, xi } from "./api.js";
import { VoicePicker } from "./picker.js";

const $ = (id) => document.getElementById(id);

// The name of an uploaded file without its extension, for the name of what is made of it.
export const stem = (file) => file.name.replace(/\.[^.]*$/, "") || "audio";

// While `work` runs, the form `${name}-form` is busy: its last result gone, its button off, and
// what it is doing (a text, or a function that says it) with the seconds so far in its status.
// What `work` answers, or null when it threw (the API's message is shown).
export async function busy(name, doing, work, notify) {
  const form = $(`${name}-form`);
  const status = $(`${name}-status`);
  notify(null);
  $(`${name}-result`).hidden = true;
  $(`${name}-submit`).disabled = true;
  form.setAttribute("aria-busy", "true");
  const started = Date.now();
  const tick = () => {
    const now = typeof doing === "function" ? doing() : doing;
    status.textContent = `${now} · ${Math.round((Date.now() - started) / 1000)} s`;
  };
  tick();
  const ticking = setInterval(tick, 500);
  try {
    return await work();
  } catch (error) {
    status.textContent = "";
    notify(error);
    return null;
  } finally {
    clearInterval(ticking);
    $(`${name}-submit`).disabled = false;
    form.removeAttribute("aria-busy");
  }
}

// Audio a tool made, in the player and the download link of `${name}`, and its seconds in the
// status once the player knows them.
export async function present(name, audio, filename, said = "Made") {
  const player = $(`${name}-audio`);
  const link = $(`${name}-download`);
  const before = link.href;
  const url = URL.createObjectURL(audio);
  link.href = url;
  link.download = filename;
  $(`${name}-result`).hidden = false;
  const seconds = await new Promise((resolve) => {
    player.onloadedmetadata = () => resolve(player.duration);
    player.onerror = () => resolve(NaN); // a format the browser does not play
    player.src = url;
  });
  if (before.startsWith("blob:")) URL.revokeObjectURL(before);
  $(`${name}-status`).textContent = Number.isFinite(seconds)
    ? `${said}: ${seconds.toFixed(1)} s of audio.` : `${said}: download it to play it.`;
}

async function audioOf(path, init) {
  return (await request(path, { ...init, method: "POST", headers: { ...xi(), ...init.headers } })).blob();
}

export class Tools {
  constructor(config, voices, notify) {
    this.notify = notify;
    this.picker = new VoicePicker(voices, "sts-", notify);
    this.codecs = config.outputs.filter((output) => !output.split_output && output.id !== "m4b");
    $("sts-output").replaceChildren(...this.codecs.map((output) => new Option(output.label, output.id)));
    $("sound-names").replaceChildren(...config.sounds.map((name) => new Option("", name)));
    $("sound-help").textContent = `Sounds this server makes itself: ${config.sounds.join(", ")}.`;
    $("sound-seconds").min = config.sound_seconds[0];
    $("sound-seconds").max = config.sound_seconds[1];
    const on = (name, action) => $(`${name}-form`).addEventListener("submit", (event) => {
      event.preventDefault();
      action.call(this);
    });
    on("isolate", this.isolate);
    on("sts", this.change);
    on("sound", this.sound);
  }

  async show() { await this.picker.show(); }

  async isolate() {
    const file = $("isolate-file").files[0];
    const form = new FormData();
    form.append("audio", file);
    const made = await busy("isolate", "Taking the noise out",
      () => audioOf("/v1/audio-isolation", { body: form }), this.notify);
    if (made) await present("isolate", made, `${stem(file)}-isolated.mp3`);
  }

  async change() {
    const file = $("sts-file").files[0];
    const output = this.codecs.find((codec) => codec.id === $("sts-output").value);
    const form = new FormData();
    form.append("audio", file);
    form.append("remove_background_noise", String($("sts-denoise").checked));
    const path = `/v1/speech-to-speech/${encodeURIComponent(this.picker.value)}` +
      `?output_format=${encodeURIComponent(output.output_format)}`;
    const made = await busy("sts", "Listening and speaking again",
      () => audioOf(path, { body: form }), this.notify);
    if (made) await present("sts", made, `${stem(file)}-${this.picker.value}.${output.id}`);
  }

  async sound() {
    const text = $("sound-text").value.trim();
    const body = { text, loop: $("sound-loop").checked };
    if ($("sound-seconds").value) body.duration_seconds = Number($("sound-seconds").value);
    const made = await busy("sound", "Making the sound", () => audioOf("/v1/sound-generation",
      { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }), this.notify);
    const name = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40);
    if (made) await present("sound", made, `${name || "sound"}.mp3`);
  }
}
