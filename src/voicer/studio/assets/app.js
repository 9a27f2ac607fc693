// The studio's shell: sign in, pages by the address's #hash, notices.
import { ApiError, getJson, token } from "./api.js";
import { showAccount } from "./account.js";
import { Dubbing } from "./dubbing.js";
import { VoiceList } from "./picker.js";
import { Speak } from "./speak.js";
import { Stt } from "./stt.js";
import { Tasks } from "./tasks.js";
import { Tools } from "./tools.js";
import { Voices } from "./voices.js";

const $ = (id) => document.getElementById(id);
const PAGES = ["speak", "tasks", "stt", "voices", "tools", "account"];

export function notify(error) {
  const notice = $("notice");
  if (!error) { notice.hidden = true; return; }
  if (error instanceof ApiError && error.status === 401) {
    token.clear();
    route();
  }
  notice.textContent = error.message || String(error);
  notice.hidden = false;
  notice.scrollIntoView({ block: "nearest" }); // a form far down a phone's page sent it
}

let studio = null; // the pages, made once on the first signed-in visit

async function start() {
  const config = await getJson("/studio/config.json");
  const catalogue = new VoiceList(); // what every voice picker lists
  const speak = new Speak(config, catalogue, notify);
  const tasks = new Tasks(notify, (id) => { location.hash = "#speak"; speak.open(id); });
  speak.onSubmitted = () => tasks.stale();
  const voices = new Voices(notify, () => catalogue.changed());
  const tools = new Tools(config, catalogue, notify);
  const dubbing = new Dubbing(catalogue, notify);
  const both = { show: () => Promise.all([tools.show(), dubbing.show()]) };
  return { speak, tasks, stt: new Stt(notify), voices, tools: both, account: { show: showAccount } };
}

async function route() {
  const signedIn = Boolean(token.get());
  const wanted = location.hash.slice(1);
  const name = !signedIn ? "sign-in" : PAGES.includes(wanted) ? wanted : "speak";
  for (const page of document.querySelectorAll(".page")) page.hidden = page.id !== `page-${name}`;
  $("nav").hidden = $("sign-out").hidden = !signedIn;
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.hash === `#${name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${name === "sign-in" ? "Sign in" : $(`${name}-title`).textContent} · Voicer Studio`;
  if (!signedIn) return;
  try {
    studio ??= start().catch((error) => { studio = null; throw error; });
    await (await studio)[name].show();
  } catch (error) {
    notify(error);
  }
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  notify(null);
  token.set($("token").value.trim());
  try {
    await getJson("/api/v1/user/stats");
    $("token").value = "";
    if (!location.hash || location.hash === "#sign-in") location.hash = "#speak";
    else await route();
  } catch (error) {
    token.clear();
    notify(error.status === 401 ? new Error("That token was not accepted.") : error);
  }
});

$("sign-out").addEventListener("click", () => {
  token.clear();
  location.replace(location.pathname); // a fresh page: nothing of the last user stays
});

window.addEventListener("hashchange", () => { notify(null); route(); $("main").focus(); });
route();
