// Speech to text: upload a file to /v1/stt, watch its task, show the transcript.
import { getJson, request } from "./api.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 500;
const ENDED = new Set(["succeeded", "failed", "cancelled"]);

export class Stt {
  constructor(notify) {
    this.notify = notify;
    $("stt-form").addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
  }

  async show() {}

  async submit() {
    this.notify(null);
    const form = new FormData();
    form.append("file", $("stt-file").files[0]);
    const language = $("stt-language").value.trim();
    if (language) form.append("language", language);
    form.append("diarize", "false");
    $("stt-submit").disabled = true;
    $("stt-result").hidden = true;
    try {
      let task = await (await request("/v1/stt", { method: "POST", body: form })).json();
      while (!ENDED.has(task.status)) {
        $("stt-status").textContent = `${task.status} · ${task.progress}%`;
        await new Promise((done) => setTimeout(done, POLL_MS));
        task = await getJson(`/v1/stt/${task.task_id}`);
      }
      $("stt-status").textContent = task.status === "succeeded"
        ? `Done: ${task.duration.toFixed(1)} s of ${task.language || "speech"}` : `${task.status}: ${task.error || ""}`;
      if (task.status !== "failed") {
        const result = await getJson(`/v1/stt/${task.task_id}/result?plain_text=true`);
        $("stt-text").value = result.text;
        $("stt-result").hidden = false;
      }
    } catch (error) {
      this.notify(error);
      $("stt-status").textContent = "";
    } finally {
      $("stt-submit").disabled = false;
    }
  }
}
