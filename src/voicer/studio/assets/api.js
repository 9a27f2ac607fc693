// The Voicer API as the studio uses it: the token from localStorage, sent as a Bearer.

const TOKEN_KEY = "voicer.token";

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (value) => localStorage.setItem(TOKEN_KEY, value),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

// The ElevenLabs routes take the token as xi-api-key.
export const xi = () => ({ "xi-api-key": token.get() });

function headers(extra = {}) {
  const value = token.get();
  return value ? { Authorization: `Bearer ${value}`, ...extra } : extra;
}

// The message of an error body, in either of Voicer's two error shapes or FastAPI's 422.
async function explain(response) {
  let detail = "";
  try {
    detail = (await response.json()).detail;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
  if (Array.isArray(detail)) return detail.map((item) => `${item.loc.join(".")}: ${item.msg}`).join("; ");
  if (detail && typeof detail === "object") return detail.message || JSON.stringify(detail);
  return detail || `${response.status} ${response.statusText}`;
}

export async function request(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (!response.ok) throw new ApiError(response.status, await explain(response));
  return response;
}

export const getJson = async (path) => (await request(path)).json();

export async function sendJson(path, body, method = "POST") {
  const init = { method, headers: { "Content-Type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return (await request(path, init)).json();
}

export async function blob(path, extra = {}) {
  return (await request(path, { headers: extra })).blob();
}

// Server-sent events over fetch (EventSource cannot send a token): yields {event, data}.
export async function* events(path, signal) {
  const response = await request(path, { headers: { Accept: "text/event-stream" }, signal });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replaceAll("\r\n", "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}
