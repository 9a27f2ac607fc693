// The task history: newest first, with open, download and cancel.
import { blob, getJson, sendJson } from "./api.js";

const $ = (id) => document.getElementById(id);
const ACTIVE = new Set(["pending", "processing"]);
const REFRESH_MS = 2000; // while a task shown is still running

export class Tasks {
  constructor(notify, open) {
    this.notify = notify;
    this.open = open;
    this.timer = null;
    $("tasks-refresh").addEventListener("click", () => this.show());
  }

  stale() { clearTimeout(this.timer); }

  async show() {
    clearTimeout(this.timer);
    const { tasks } = await getJson("/api/v1/voice/tasks?limit=50");
    $("tasks-table").querySelector("tbody").replaceChildren(...tasks.map((task) => this.row(task)));
    $("tasks-empty").hidden = tasks.length > 0;
    if (tasks.some((task) => ACTIVE.has(task.status))) {
      this.timer = setTimeout(() => { if (!$("page-tasks").hidden) this.show().catch(this.notify); }, REFRESH_MS);
    }
  }

  row(task) {
    const row = document.createElement("tr");
    row.dataset.taskId = task.task_id;
    const created = new Date(task.created_at.endsWith("Z") || task.created_at.includes("+")
      ? task.created_at : `${task.created_at}Z`);
    const cells = [created.toLocaleString(), task.status, `${Math.round(task.progress)}%`,
      task.characters.toLocaleString("en"), task.output.toUpperCase()];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const actions = document.createElement("td");
    const label = `task of ${created.toLocaleString()}`;
    if (task.status === "completed") {
      actions.append(this.button("Open", `Open ${label}`, () => this.open(task.task_id)),
        this.button("Download", `Download ${label}`, () => this.download(task)));
    }
    if (ACTIVE.has(task.status)) {
      actions.append(this.button("Cancel", `Cancel ${label}`, () => this.cancel(task.task_id), "danger"));
    }
    row.append(actions);
    return row;
  }

  button(text, label, action, style = "quiet") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = style;
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try { await action(); } catch (error) { this.notify(error); } finally { button.disabled = false; }
    });
    return button;
  }

  async cancel(taskId) {
    await sendJson(`/api/v1/voice/tasks/${taskId}`, undefined, "DELETE");
    await this.show();
  }

  async download(task) {
    const url = URL.createObjectURL(await blob(`/api/v1/voice/download/${task.task_id}`));
    const link = document.createElement("a");
    link.href = url;
    link.download = `voicer-${task.task_id}.${task.output}`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
