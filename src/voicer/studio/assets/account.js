// Usage and quota, from GET /api/v1/user/stats.
import { getJson } from "./api.js";

const NAMES = {
  subscription_type: "Plan", used_characters: "Characters used", remaining_characters: "Characters left",
  total_characters: "Character quota", total_tasks: "Tasks", completed_tasks: "Completed",
  active_tasks: "Running or waiting",
};

export async function showAccount() {
  const stats = await getJson("/api/v1/user/stats");
  const meter = document.getElementById("quota");
  meter.max = Math.max(stats.total_characters, 1);
  meter.value = stats.used_characters;
  meter.textContent = `${stats.used_characters} of ${stats.total_characters}`;
  const list = document.getElementById("stats");
  list.replaceChildren();
  for (const [key, label] of Object.entries(NAMES)) {
    const term = document.createElement("dt");
    term.textContent = label;
    const value = document.createElement("dd");
    value.id = `stat-${key}`;
    const raw = stats[key];
    value.textContent = typeof raw === "number" ? raw.toLocaleString("en") : raw;
    list.append(term, value);
  }
}
