// The player of a completed task: its audio, a download, and a jump to each chapter (a book's)
// and to each chunk.
import { blob, getJson } from "./api.js";

const $ = (id) => document.getElementById(id);

export function clock(seconds) {
  const whole = Math.floor(seconds);
  const hours = Math.floor(whole / 3600);
  const rest = `${String(Math.floor(whole / 60) % 60).padStart(hours ? 2 : 1, "0")}:${String(whole % 60).padStart(2, "0")}`;
  return hours ? `${hours}:${rest}` : rest;
}

export class Player {
  constructor(notify) {
    this.notify = notify;
    this.url = null;
    this.marks = [];
    $("player").addEventListener("timeupdate", () => this.mark());
  }

  clear() {
    const audio = $("player");
    audio.removeAttribute("src");
    audio.load();
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    this.marks = [];
    $("chunks").replaceChildren();
    $("chapters").replaceChildren();
    $("chapters-title").hidden = $("chapters").hidden = true;
  }

  async load(status) {
    this.clear();
    const data = await blob(`/api/v1/voice/download/${status.task_id}`);
    this.url = URL.createObjectURL(data);
    const link = $("download");
    link.href = this.url;
    link.download = `voicer-${status.task_id}.${status.output}`;
    link.textContent = `Download ${status.output.toUpperCase()}`;
    const playable = status.output !== "zip";
    $("player").hidden = $("chunks-title").hidden = $("chunks").hidden = !playable;
    $("result-title").textContent = playable ? "Listen" : "Download";
    $("result").hidden = false;
    if (!playable) return;
    $("player").src = this.url;
    this.marks = await getJson(`/api/v1/voice/tasks/${status.task_id}/chunks`);
    $("chunks").replaceChildren(...this.marks.map((mark) => this.item(mark, mark.text)));
    const chapters = this.marks.filter((mark) => mark.chapter !== null);
    $("chapters").replaceChildren(...chapters.map((mark) => this.item(mark, mark.chapter)));
    $("chapters-title").hidden = $("chapters").hidden = chapters.length === 0;
  }

  item(mark, title) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${clock(mark.start)} — ${title}`;
    button.setAttribute("aria-label", `Play from ${clock(mark.start)}: ${title}`);
    button.addEventListener("click", () => {
      const audio = $("player");
      audio.currentTime = mark.start;
      audio.play().catch(() => {}); // a browser may refuse to start sound; the position is set
    });
    const item = document.createElement("li");
    item.append(button);
    return item;
  }

  mark() {
    const now = $("player").currentTime;
    const current = this.marks.findLastIndex((mark) => mark.start <= now + 0.05);
    $("chunks").querySelectorAll("button").forEach((button, index) => {
      button.setAttribute("aria-current", String(index === current));
    });
    const chapter = this.marks.slice(0, current + 1).filter((mark) => mark.chapter !== null).length - 1;
    $("chapters").querySelectorAll("button").forEach((button, index) => {
      button.setAttribute("aria-current", String(index === chapter));
    });
  }
}
