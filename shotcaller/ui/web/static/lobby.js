// Shotcaller lobby: create a match (seats, seed, speed), share its links, list the matches.
const REFRESH_MS = 3000;
const MINE_KEY = "shotcaller.myseats"; // seat links of the matches created in this browser

const $ = (id) => document.getElementById(id);

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function full(url) {
  try {
    return new URL(url, location.href).href;
  } catch (e) {
    return url;
  }
}

/** The message of a failed request: FastAPI's {"detail": "..."} (or a list of validation errors). */
async function errorText(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    /* not JSON */
  }
  const d = body && body.detail;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return d.map((x) => (x && x.msg ? `${(x.loc || []).slice(1).join(".")}: ${x.msg}` : JSON.stringify(x))).join("; ");
  if (d) return JSON.stringify(d);
  return `HTTP ${resp.status} ${resp.statusText}`;
}

function loadMine() {
  try {
    return JSON.parse(localStorage.getItem(MINE_KEY) || "{}") || {};
  } catch (e) {
    return {};
  }
}

function saveMine(id, seats) {
  try {
    const mine = loadMine();
    mine[id] = seats;
    const ids = Object.keys(mine);
    for (const old of ids.slice(0, Math.max(0, ids.length - 30))) delete mine[old];
    localStorage.setItem(MINE_KEY, JSON.stringify(mine));
  } catch (e) {
    /* storage unavailable: nothing kept */
  }
}

async function loadBots() {
  let bots = [];
  try {
    const r = await fetch("/api/bots");
    if (!r.ok) throw new Error(await errorText(r));
    bots = (await r.json()).bots || [];
  } catch (e) {
    $("create-error").textContent = `could not load the bots: ${e.message || e}`;
  }
  for (const [id, def] of [["blue-seat", "human"], ["red-seat", bots.includes("strategist") ? "strategist" : bots[0] || "human"]]) {
    const sel = $(id);
    sel.innerHTML = `<option value="human">human</option>` + bots.map((b) => `<option value="${esc(b)}">${esc(b)}</option>`).join("");
    sel.value = def;
  }
}

function copyButton(url) {
  return `<button type="button" class="copy" data-url="${esc(url)}">copy</button>`;
}

function showLinks(m) {
  const box = $("links");
  const rows = [];
  rows.push(`<div class="row"><b>match ${esc(m.id)}</b></div>`);
  for (const side of ["blue", "red"]) {
    const seat = (m.seats || {})[side] || {};
    if (seat.url) {
      const u = full(seat.url);
      const label = seat.kind === "bot" ? `${side} seat (bot ${seat.bot})` : `${side} seat (human)`;
      rows.push(
        `<div class="row"><span class="who ${side}">${esc(label)}</span><a data-seat="${side}" href="${esc(u)}" target="_blank" rel="noopener">${esc(u)}</a>${copyButton(u)}</div>`,
      );
    } else {
      rows.push(`<div class="row"><span class="who ${side}">${side} seat</span><span class="dim">bot ${esc(seat.bot || "")}</span></div>`);
    }
  }
  rows.push(`<div class="row dim">give each human seat's link to its player (the link is the seat: keep it private); spectators:</div>`);
  for (const w of ["all", "blue", "red"]) {
    const url = (m.watch || {})[w];
    if (!url) continue;
    const u = full(url);
    const label = w === "all" ? "watch (full vision)" : `watch (${w}'s fog)`;
    rows.push(`<div class="row"><span class="who">${esc(label)}</span><a data-watch="${w}" href="${esc(u)}" target="_blank" rel="noopener">${esc(u)}</a>${copyButton(u)}</div>`);
  }
  box.innerHTML = rows.join("");
  box.hidden = false;
}

async function copy(text, btn) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch (e) {
    const ta = document.createElement("textarea");
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    try {
      ok = document.execCommand("copy");
    } catch (e2) {
      ok = false;
    }
    ta.remove();
  }
  btn.textContent = ok ? "copied" : "copy failed";
  setTimeout(() => (btn.textContent = "copy"), 1500);
}

async function create(ev) {
  ev.preventDefault();
  const btn = $("create");
  const err = $("create-error");
  err.textContent = "";
  const seedText = $("seed").value.trim();
  let seed = null;
  if (seedText !== "") {
    seed = Number(seedText);
    if (!Number.isInteger(seed)) {
      err.textContent = "the seed must be a whole number (or empty for a random one)";
      return;
    }
  }
  const body = { blue: $("blue-seat").value, red: $("red-seat").value, seed, speed: Number($("speed").value) };
  btn.disabled = true;
  try {
    const r = await fetch("/api/matches", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) {
      err.textContent = await errorText(r);
      return;
    }
    const m = await r.json();
    showLinks(m);
    saveMine(m.id, m.seats);
    refresh();
  } catch (e) {
    err.textContent = `could not create the match: ${e.message || e}`;
  } finally {
    btn.disabled = false;
  }
}

function seatText(seat) {
  if (!seat) return "?";
  return seat.kind === "human" ? "human" : esc(seat.bot || "bot");
}

function when(created) {
  if (created == null) return "";
  let d;
  if (typeof created === "number") d = new Date(created < 1e12 ? created * 1000 : created);
  else d = new Date(created);
  if (isNaN(d.getTime())) return esc(created);
  return d.toLocaleTimeString();
}

function renderMatches(list) {
  const box = $("matches");
  if (!list.length) {
    box.innerHTML = `<p class="dim">no match yet: create one above.</p>`;
    return;
  }
  const mine = loadMine();
  const rows = list
    .slice()
    .sort((a, b) => String(b.created_at ?? "").localeCompare(String(a.created_at ?? ""), undefined, { numeric: true }))
    .map((m) => {
      const id = encodeURIComponent(m.id);
      const live = m.status === "live";
      const acts = [];
      if (live) {
        const own = mine[m.id] || {};
        for (const side of ["blue", "red"]) {
          if (own[side] && own[side].url && own[side].kind !== "bot")
            acts.push(`<a data-seat="${side}" href="${esc(full(own[side].url))}">play ${side}</a>`);
        }
        acts.push(`<a data-watch="all" href="play.html?match=${id}&watch=all">watch</a>`);
        acts.push(`<a data-watch="blue" href="play.html?match=${id}&watch=blue">blue's fog</a>`);
        acts.push(`<a data-watch="red" href="play.html?match=${id}&watch=red">red's fog</a>`);
      } else {
        acts.push(`<a data-replay="${esc(m.id)}" href="replay.html?match=${id}">replay</a>`);
        acts.push(`<a data-download="${esc(m.id)}" href="/api/matches/${id}/replay" download="shotcaller-${esc(m.id)}.json">download</a>`);
      }
      const winner = m.winner ? (m.winner === "draw" ? "draw" : `<span class="${esc(m.winner)}">${esc(m.winner)}</span>`) : "";
      return `<tr data-match="${esc(m.id)}">
  <td><code>${esc(m.id)}</code></td>
  <td><span class="blue">${seatText((m.seats || {}).blue)}</span> vs <span class="red">${seatText((m.seats || {}).red)}</span></td>
  <td><span class="badge ${live ? "live" : ""}">${esc(m.status)}</span></td>
  <td>${esc(m.time ?? "")}</td>
  <td>${winner}</td>
  <td class="dim">${when(m.created_at)}</td>
  <td class="actions">${acts.join("")}</td></tr>`;
    })
    .join("");
  box.innerHTML = `<table class="list"><thead><tr><th>match</th><th>blue vs red</th><th>status</th><th>time</th><th>winner</th><th>created</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderGames(list) {
  const box = $("games");
  if (!list.length) {
    box.innerHTML = `<p class="dim">none with a replay in this store (shotcaller tournament --db THIS_FILE --replays DIR).</p>`;
    return;
  }
  const rows = list
    .map((g) => {
      const winner = g.winner === "draw" ? "draw" : `<span class="${esc(g.winner)}">${esc(g.winner)}</span>`;
      return `<tr data-game="${esc(g.id)}"><td>${esc(g.id)}</td><td><span class="blue">${esc(g.blue)}</span> vs <span class="red">${esc(g.red)}</span></td><td>${esc(g.seed)}</td><td>${winner}</td><td class="actions"><a data-replay-game="${esc(g.id)}" href="replay.html?game=${encodeURIComponent(g.id)}">replay</a></td></tr>`;
    })
    .join("");
  box.innerHTML = `<table class="list"><thead><tr><th>game</th><th>blue vs red</th><th>seed</th><th>winner</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  const state = $("matches-state");
  try {
    const r = await fetch("/api/matches");
    if (!r.ok) throw new Error(await errorText(r));
    renderMatches((await r.json()).matches || []);
    const g = await fetch("/api/games?limit=50");
    if (g.ok) renderGames((await g.json()).games || []);
    state.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    state.textContent = `could not load the matches: ${e.message || e}`;
  } finally {
    refreshing = false;
  }
}

$("create-form").addEventListener("submit", create);
$("links").addEventListener("click", (e) => {
  const b = e.target.closest("button.copy");
  if (b) copy(b.dataset.url, b);
});
loadBots();
refresh();
setInterval(refresh, REFRESH_MS);
