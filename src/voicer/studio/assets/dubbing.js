// Dubbing: an upload sent to POST /v1/dubbing, its status polled until it is dubbed, then the
// dub of its language played and downloaded.
import { blob, request, xi } from "./api.js";
import { languageName } from "./picker.js";
import { busy, present, stem } from "./tools.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const ENDED = new Set(["dubbed", "failed"]);
const LABELS = { dubbing: "Dubbing", dubbed: "Dubbed", failed: "Failed" };

export class Dubbing {
  constructor(voices, notify) {
    this.voices = voices;
    this.notify = notify;
    this.languages = null;
    this.phase = "";
    $("dub-form").addEventListener("submit", (event) => { event.preventDefault(); this.dub(); });
  }

  // The languages a local voice speaks: what a local dub can be in.
  async show() {
    const languages = await this.voices.languages();
    if (String(languages) === String(this.languages)) return;
    this.languages = languages;
    const options = () => languages.map((code) => new Option(languageName(code), code));
    const [source, target] = [$("dub-source").value, $("dub-target").value || "en"];
    $("dub-source").replaceChildren(new Option("Detect it", "auto"), ...options());
    $("dub-target").replaceChildren(...options());
    $("dub-source").value = languages.includes(source) ? source : "auto";
    $("dub-target").value = languages.includes(target) ? target : languages[0];
  }

  async dub() {
    const file = $("dub-file").files[0];
    const target = $("dub-target").value;
    const form = new FormData();
    form.append("file", file);
    form.append("name", file.name);
    form.append("source_lang", $("dub-source").value);
    form.append("target_lang", target);
    form.append("num_speakers", $("dub-speakers").value || "0");
    this.phase = "Sending";
    const made = await busy("dub", () => this.phase, async () => {
      const { dubbing_id: id } = await (await request("/v1/dubbing",
        { method: "POST", headers: xi(), body: form })).json();
      const project = await this.watch(id);
      if (project.status !== "dubbed") throw new Error(`The dubbing failed: ${project.error || "no reason given"}`);
      return blob(`/v1/dubbing/${id}/audio/${encodeURIComponent(target)}`, xi());
    }, this.notify);
    $("dub-progress").hidden = true;
    if (made) await present("dub", made, `${stem(file)}-${target}.mp3`, "Dubbed");
  }

  // The project's status, shown as it changes, until it is dubbed or failed.
  async watch(id) {
    const progress = $("dub-progress");
    progress.value = 0;
    progress.hidden = false;
    for (;;) {
      const project = await (await request(`/v1/dubbing/${id}`, { headers: xi() })).json();
      progress.value = project.progress ?? 0;
      this.phase = `${LABELS[project.status] ?? project.status} · ${Math.round(progress.value)}%`;
      if (ENDED.has(project.status)) return project;
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
  }
}
