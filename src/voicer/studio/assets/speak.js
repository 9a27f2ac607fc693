// The Speak page: text, voice, settings, submit, then progress and the player.
import { events, getJson, sendJson } from "./api.js";
import { Player } from "./player.js";
import { VoicePicker } from "./picker.js";

const $ = (id) => document.getElementById(id);
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

// A file's contents as base64 (an EPUB is sent so, as text_format "epub").
function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.slice(reader.result.indexOf(",") + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export class Speak {
  constructor(config, voices, notify) {
    this.notify = notify;
    this.picker = new VoicePicker(voices, "", notify);
    this.models = false; // the model menu, filled when first shown
    this.outputs = config.outputs;
    this.following = null;
    this.taskId = null;
    this.uploads = config.uploads;
    this.book = null; // an opened EPUB: its name and base64 contents
    this.onSubmitted = () => {};
    this.player = new Player(notify);
    $("output").replaceChildren(...config.outputs.map((output) => new Option(output.label, output.id)));
    $("loudness").replaceChildren(...config.loudness.map((choice) => new Option(choice.label, choice.id)));
    $("text-file").accept = Object.keys(config.uploads).join(",");
    this.bind();
  }

  bind() {
    $("text").addEventListener("input", () => this.count());
    $("text-file").addEventListener("change", () => this.openFile());
    $("text-format").addEventListener("change", () => this.textFormat());
    $("pauses").addEventListener("change", () => { $("pause-settings").hidden = !$("pauses").checked; });
    $("pause-preset").addEventListener("change", () => this.preset());
    $("speak-form").addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
    $("progress-cancel").addEventListener("click", () => this.cancel());
  }

  async show() {
    await Promise.all([this.listModels(), this.picker.show()]);
  }

  async listModels() {
    if (this.models) return;
    const models = await getJson("/api/v1/models");
    $("model").replaceChildren(...models.map((m) => new Option(`${m.name} — ${m.description}`, m.model_id)));
    this.models = true;
  }

  count() {
    $("text-count").textContent = this.book ? "Its chapters are read by the server"
      : `${$("text").value.length.toLocaleString("en")} characters`;
  }

  // A file opened as it is: the server reads its chapters (an EPUB's are not shown here).
  async openFile() {
    const file = $("text-file").files[0];
    if (!file) return;
    const extension = file.name.slice(file.name.lastIndexOf(".")).toLowerCase();
    const format = this.uploads[extension] ?? "plain";
    try {
      if (format === "epub") {
        this.book = { name: file.name, text: await base64(file) };
        $("text").value = `${file.name}: an EPUB book of ${file.size.toLocaleString("en")} bytes.`;
      } else {
        this.book = null;
        $("text").value = await file.text();
      }
    } catch (error) {
      this.notify(error);
      return;
    }
    $("text-format").value = format;
    this.textFormat();
    this.count();
  }

  // A book is opened whole: its text is not edited here; another format leaves it.
  textFormat() {
    const format = $("text-format").value;
    if (format !== "epub" && this.book) {
      this.book = null;
      $("text").value = "";
      this.count();
    }
    $("text-format").querySelector('option[value="epub"]').disabled = !this.book;
    $("text").readOnly = Boolean(this.book);
    $("chapter-settings").hidden = format === "plain";
  }

  preset() {
    const option = $("pause-preset").selectedOptions[0];
    const duration = $("pause-duration");
    duration.min = option.dataset.min;
    duration.max = option.dataset.max;
    duration.value = option.dataset.value;
  }

  body() {
    const output = this.outputs.find((o) => o.id === $("output").value);
    const body = {
      text: this.book ? this.book.text : $("text").value, text_format: $("text-format").value,
      loudness: $("loudness").value, voice_id: this.picker.value, model_id: $("model").value,
      split_type: $("split").value, output_format: output.output_format, split_output: output.split_output,
      auto_pause_enabled: $("pauses").checked,
    };
    if (body.text_format !== "plain") body.chapter_pause = Number($("chapter-pause").value);
    if (body.auto_pause_enabled) {
      body.auto_pause_duration = Number($("pause-duration").value);
      body.auto_pause_frequency = Number($("pause-every").value);
    }
    return body;
  }

  async submit() {
    this.notify(null);
    $("submit").disabled = true;
    try {
      const task = await sendJson("/api/v1/voice/synthesize", this.body());
      this.onSubmitted();
      this.follow(task.task_id);
    } catch (error) {
      this.notify(error);
    } finally {
      $("submit").disabled = false;
    }
  }

  async cancel() {
    try {
      this.update(await sendJson(`/api/v1/voice/tasks/${this.taskId}`, undefined, "DELETE"));
    } catch (error) {
      this.notify(error);
    }
  }

  // Live progress from the task's event stream; polling only if the stream is refused.
  async follow(taskId) {
    this.following?.abort();
    const following = (this.following = new AbortController());
    this.taskId = taskId;
    $("result").hidden = true;
    this.player.clear();
    $("progress-card").hidden = false;
    $("progress-cancel").hidden = false;
    this.update({ status: "pending", progress: 0, chunks_completed: 0, chunks_total: 0 });
    let last = null;
    try {
      for await (const { event, data } of events(`/api/v1/voice/status/${taskId}/events`, following.signal)) {
        if (event === "status") this.update((last = data));
      }
    } catch (error) {
      if (following.signal.aborted) return;
      if (error.status !== 429) { this.notify(error); return; }
      last = await this.poll(taskId, following.signal);
    }
    if (!following.signal.aborted && last?.status === "completed") await this.open(taskId);
  }

  async poll(taskId, signal) {
    for (;;) {
      const status = await getJson(`/api/v1/voice/status/${taskId}?wait=10`);
      if (signal.aborted) return status;
      this.update(status);
      if (TERMINAL.has(status.status)) return status;
    }
  }

  update(status) {
    $("progress").value = status.progress;
    const parts = [`${status.status[0].toUpperCase()}${status.status.slice(1)}`];
    if (status.chunks_total) parts.push(`${status.chunks_completed} of ${status.chunks_total} chunks`);
    parts.push(`${Math.round(status.progress)}%`);
    if (status.estimated_time_remaining && !TERMINAL.has(status.status)) {
      parts.push(`about ${Math.ceil(status.estimated_time_remaining)} s left`);
    }
    if (status.error) parts.push(status.error);
    $("progress-text").textContent = parts.join(" · ");
    $("progress-cancel").hidden = TERMINAL.has(status.status);
  }

  // A completed task's audio in the player, its chunks to jump to, and its download.
  async open(taskId) {
    this.notify(null);
    try {
      const status = await getJson(`/api/v1/voice/status/${taskId}?wait=0`);
      this.taskId = taskId;
      $("progress-card").hidden = false;
      this.update(status);
      if (status.status === "completed") await this.player.load(status);
    } catch (error) {
      this.notify(error);
    }
  }
}
