// Shotcaller match view: the canvas renderer, the leader panel, orders by keys and mouse, the feed,
// the end screen, and the WebSocket with its automatic reconnect. Shared by play.html and replay.html.
// Plain ES2020 module, no dependencies; every picture is drawn here on the canvas.

export const TPS = 20; // game ticks per game second (1x = 20 ticks a second)
export const SPEEDS = [1, 2, 4, 8];
const SIDES = ["blue", "red"];
const COLORS = {
  blue: { main: "#3b82f6", light: "#93c5fd", dark: "#1e3a8a", creep: "#60a5fa", summon: "#7dd3fc" },
  red: { main: "#ef4444", light: "#fca5a5", dark: "#7f1d1d", creep: "#f87171", summon: "#fda4af" },
};
const PICK_KEYS = "123456789bcdefhijkmnqtuvwxyz"; // picker keys after 1-9 (no a/g/l/o/p/r/s: order keys)
const BIG_EVENTS = new Set(["building", "first_blood", "fight", "end"]);
const FEED_MAX = 400;
const NOTICE_MS = 4000;
const RECONNECT_MS = 2000;
// the order buttons: kind sent, key, label
const ORDER_BUTTONS = [
  ["lane", "l", "lane"],
  ["push", "p", "push"],
  ["defend", "d", "defend"],
  ["gank", "g", "gank"],
  ["group", "o", "group"],
  ["retreat", "r", "retreat"],
  ["buy", "b", "shop"],
  ["teleport", "t", "teleport"],
  ["stance", "s", "stance"],
  ["fortify", "F", "fortify"],
];
const UNIT_ORDER = { rubble: 0, creep: 1, treant: 2, elephant: 2, tower: 3, barracks: 3, core: 3, leader: 4 };
const BUILDING_KINDS = new Set(["tower", "barracks", "core"]);

export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** The viewer's sight: numpy packbits of the H×W bool grid (row-major, MSB first), base64. null = all seen. */
export function decodeSeen(b64, W, H) {
  if (!b64) return null;
  let bin;
  try {
    bin = atob(b64);
  } catch (e) {
    return null;
  }
  const out = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) {
    const byte = i >> 3;
    if (byte >= bin.length) break;
    out[i] = (bin.charCodeAt(byte) >> (7 - (i & 7))) & 1;
  }
  return out;
}

function hash2(x, y, k = 0) {
  let h = (x * 374761393 + y * 668265263 + k * 2147483647) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function hpColor(f) {
  return f > 0.5 ? "#22c55e" : f > 1 / 3 ? "#eab308" : "#ef4444";
}

function secs(v) {
  if (v == null) return "";
  const n = Number(v);
  return n >= 60 ? clock(n) : `${Math.ceil(n)}s`;
}

/** Query parameters of the page. */
export function params() {
  return new URLSearchParams(location.search);
}

export function wsBase() {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}`;
}

export class MatchView {
  /**
   * @param {{mode: "play"|"replay", matchId: string, wsUrl: string}} opts
   */
  constructor(opts) {
    this.mode = opts.mode;
    this.matchId = opts.matchId;
    this.wsUrl = opts.wsUrl;
    this.hello = null;
    this.frame = null;
    this.endMsg = null;
    this.seen = null;
    this.ws = null;
    this.connected = false;
    this.stopped = false;
    this.selected = -1; // leader 0..4 of the commanded team, -1 the whole team
    this.follow = null; // global leader index 0..9 the camera follows
    this.cursor = null; // {x, y}: the last clicked point (or moved by the arrows)
    this.camFree = false; // the camera left the followed leader (drag, arrows, minimap)
    this.camX = 0;
    this.camY = 0;
    this.ts = 10; // tile size in device pixels
    this.fits = true;
    this.dirty = true;
    this.feedKeys = new Set();
    this.picker = null;
    this.noticeTimer = null;
    this.hooks = { hello: [], frame: [], end: [], key: [], seekReset: [] };
    this.el = {};
    for (const id of [
      "map", "minimap", "status", "feed", "leaders", "orders", "shop", "pending", "apm", "end", "conn",
      "mapwrap", "picker", "help", "notice", "controls", "timectl", "pause", "slower", "faster", "speed",
      "selinfo", "sel-all", "leaders-title", "shop-gold", "help-btn",
    ]) {
      this.el[id] = document.getElementById(id);
    }
    this.ctx = this.el.map.getContext("2d");
    this.mctx = this.el.minimap.getContext("2d");
    window.shotcaller = {
      frames: 0,
      lastFrame: null,
      hello: null,
      end: null,
      view: this,
      send: (msg) => this.send(msg),
    };
  }

  // ------------------------------------------------------------------ roles
  get isPlayer() {
    return !!this.hello && (this.hello.role === "blue" || this.hello.role === "red") && this.hello.team != null;
  }
  get team() {
    return this.hello ? this.hello.team : null;
  }
  get mySide() {
    return this.isPlayer ? SIDES[this.team] : null;
  }
  /** The side whose leaders the panel lists first and the number keys follow. */
  get sideDrawn() {
    if (!this.hello) return 0;
    if (this.hello.team != null) return this.hello.team;
    if (this.hello.viewer != null) return this.hello.viewer;
    return 0;
  }
  get canTime() {
    return this.isPlayer && (this.hello.humans ?? 0) < 2;
  }
  leaderName(g) {
    return (this.hello && this.hello.leaders && this.hello.leaders[g]) || `leader ${g}`;
  }
  who(li = this.selected) {
    if (li < 0 || this.team == null) return "the whole team";
    return this.leaderName(this.team * 5 + li);
  }

  // ------------------------------------------------------------------ start and connection
  start() {
    this.installInput();
    new ResizeObserver(() => this.layout()).observe(this.el.mapwrap);
    window.addEventListener("resize", () => this.layout());
    this.connect();
    const loop = () => {
      if (this.dirty) {
        this.dirty = false;
        try {
          this.draw();
        } catch (e) {
          console.error(e);
        }
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  setConn(state, detail) {
    const c = this.el.conn;
    if (!c) return;
    c.textContent = state;
    c.classList.toggle("ok", state === "connected");
    c.title = detail || "";
  }

  connect() {
    if (this.stopped) return;
    let ws;
    try {
      ws = new WebSocket(this.wsUrl);
    } catch (e) {
      this.setConn("reconnecting", String(e));
      setTimeout(() => this.connect(), RECONNECT_MS);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.connected = true;
      this.setConn("connected");
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      try {
        this.onMessage(msg);
      } catch (e) {
        console.error("shotcaller: message", msg && msg.type, e);
      }
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.connected = false;
      // 1008 / 4000-4499: the server refuses this URL (unknown match, bad token): retrying cannot help
      if (ev.code === 1008 || (ev.code >= 4000 && ev.code < 4500)) {
        this.stopped = true;
        this.setConn(`closed: ${ev.reason || ev.code}`, `closed with code ${ev.code}`);
        this.notice(`connection closed: ${ev.reason || "code " + ev.code}`, true, 0);
        return;
      }
      this.setConn("reconnecting", `closed (${ev.code}); retrying every ${RECONNECT_MS / 1000} s`);
      setTimeout(() => this.connect(), RECONNECT_MS);
    };
  }

  send(msg) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  onMessage(msg) {
    switch (msg.type) {
      case "hello":
        this.onHello(msg);
        break;
      case "frame":
        this.onFrame(msg);
        break;
      case "answer":
        this.onAnswer(msg);
        break;
      case "error":
        this.notice(`error: ${msg.error}`, true);
        this.feedNote(`error: ${msg.error}`, true);
        break;
      case "end":
        this.endMsg = msg;
        window.shotcaller.end = msg;
        this.showEnd(msg);
        for (const h of this.hooks.end) h(msg);
        break;
      default:
        break;
    }
  }

  // ------------------------------------------------------------------ hello
  onHello(h) {
    const first = !this.hello;
    this.hello = h;
    window.shotcaller.hello = h;
    const W = h.map.width;
    const H = h.map.height;
    this.W = W;
    this.H = H;
    this.floor = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      const row = h.map.rows[y] || "";
      const chars = Array.from(row);
      for (let x = 0; x < W; x++) this.floor[y * W + x] = chars[x] !== undefined && chars[x] !== "#" ? 1 : 0;
    }
    this.lanes = h.lanes || ["left", "mid", "right"];
    this.stances = h.stances || ["aggressive", "balanced", "careful"];
    this.items = h.items || [];
    this.itemById = new Map(this.items.map((it) => [it.id, it]));
    this.buildings = (h.buildings || []).slice().sort((a, b) => a.slot - b.slot);
    this.buildingBySlot = new Map(this.buildings.map((b) => [b.slot, b]));
    this.baseTs = 0; // rebuild the tile layer
    this.fogCanvas = document.createElement("canvas");
    this.fogCanvas.width = W;
    this.fogCanvas.height = H;
    this.buildMiniBase();
    if (first) {
      this.follow = this.sideDrawn * 5;
      this.selected = -1;
    }
    this.leaderKeys = "";
    // controls: orders for players only; time controls only when at most one human plays
    const player = this.isPlayer;
    if (this.el.controls) this.el.controls.hidden = !player;
    if (this.el["sel-all"]) this.el["sel-all"].hidden = !player;
    if (this.el.timectl) this.el.timectl.hidden = !this.canTime;
    if (player) {
      this.buildOrders();
      this.buildShop();
    } else if (this.el.orders) {
      this.el.orders.innerHTML = "";
    }
    if (this.el["leaders-title"]) {
      const fog = h.viewer == null ? "full vision" : `${SIDES[h.viewer]}'s fog`;
      this.el["leaders-title"].textContent = player ? `your leaders (${SIDES[h.team]})` : `leaders · ${fog}`;
    }
    this.layout();
    for (const hk of this.hooks.hello) hk(h);
    this.dirty = true;
  }

  // ------------------------------------------------------------------ frame
  onFrame(f) {
    this.frame = f;
    window.shotcaller.frames += 1;
    window.shotcaller.lastFrame = f;
    if (!this.hello) return;
    this.seen = f.seen ? decodeSeen(f.seen, this.W, this.H) : null;
    this.updateFog();
    if (Array.isArray(f.events)) for (const e of f.events) this.addEvent(e);
    this.updatePanel();
    this.updateStatus();
    for (const hk of this.hooks.frame) hk(f);
    this.dirty = true;
  }

  unitsOf(f = this.frame) {
    return (f && Array.isArray(f.units) ? f.units : []).map((u) => ({
      slot: u[0],
      kind: u[1],
      team: u[2],
      x: Number(u[3]),
      y: Number(u[4]),
      hp: u[5] == null ? 1 : Number(u[5]),
      glyph: u[6],
      stale: !!u[7],
    }));
  }

  /** The global index 0..9 of a leader unit (its glyph is its number 1..5 in its team). */
  leaderIndex(u) {
    const n = parseInt(u.glyph, 10);
    if (!(n >= 1 && n <= 5)) return -1;
    return SIDES.indexOf(u.team) * 5 + n - 1;
  }

  findLeaderUnit(g) {
    if (g == null || !this.frame) return null;
    for (const u of this.unitsOf()) if (u.kind === "leader" && this.leaderIndex(u) === g) return u;
    return null;
  }

  leaderData(g) {
    if (!this.frame || !Array.isArray(this.frame.leaders)) return null;
    for (const ld of this.frame.leaders) if (SIDES.indexOf(ld.team) * 5 + ld.index === g) return ld;
    return null;
  }

  // ------------------------------------------------------------------ answers, events, notices
  onAnswer(a) {
    if (a.ok) {
      this.notice(`${a.what}: sent`);
    } else {
      const why = a.reason || "refused";
      this.notice(`${a.what}: not sent: ${why}`, true);
      this.feedNote(`${a.what} — not sent: ${why}`, true);
    }
  }

  notice(text, bad = false, ms = NOTICE_MS) {
    const n = this.el.notice;
    if (!n) return;
    n.textContent = text;
    n.className = bad ? "bad" : "";
    n.hidden = false;
    clearTimeout(this.noticeTimer);
    if (ms > 0) this.noticeTimer = setTimeout(() => (n.hidden = true), ms);
  }

  resetFeed() {
    this.feedKeys.clear();
    if (this.el.feed) this.el.feed.innerHTML = "";
  }

  feedNote(text, bad) {
    const t = this.frame ? this.frame.time : "";
    this.appendFeed(`<span class="t">${esc(t)}</span>${esc(text)}`, `ev note${bad ? " rejected" : ""}`);
  }

  appendFeed(html, cls) {
    const feed = this.el.feed;
    if (!feed) return;
    const atBottom = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 30;
    const d = document.createElement("div");
    d.className = cls;
    d.innerHTML = html;
    feed.appendChild(d);
    while (feed.childElementCount > FEED_MAX) feed.removeChild(feed.firstElementChild);
    if (atBottom) feed.scrollTop = feed.scrollHeight;
  }

  addEvent(e) {
    const key = `${e.tick}|${e.type}|${e.side}|${e.text}|${e.status}`;
    if (this.feedKeys.has(key)) return;
    this.feedKeys.add(key);
    const cls = ["ev", `type-${String(e.type || "").replace(/[^a-z_]/gi, "")}`];
    if (e.side === "blue" || e.side === "red") cls.push(e.side);
    if (BIG_EVENTS.has(e.type)) cls.push("big");
    const rejected = e.type === "order" && (e.reject_reason || /reject/i.test(String(e.status || "")));
    let text = String(e.text ?? "");
    if (rejected && e.reject_reason && !text.includes(e.reject_reason)) text += ` [REJECTED: ${e.reject_reason}]`;
    if (rejected && (this.mySide == null ? false : e.side === this.mySide)) cls.push("rejected");
    this.appendFeed(`<span class="t">${esc(e.time ?? "")}</span>${esc(text)}`, cls.join(" "));
  }

  // ------------------------------------------------------------------ status line and panel
  updateStatus() {
    const f = this.frame;
    if (!f || !this.el.status) return;
    const sc = f.score || {};
    const k = sc.kills || [0, 0];
    const bl = sc.buildings_lost || [0, 0];
    const parts = [];
    parts.push(`<b>${esc(f.time)}</b>`);
    parts.push(`<span class="blue">blue ${k[0]}</span> - <span class="red">${k[1]} red</span>`);
    parts.push(`buildings lost ${bl[0]}-${bl[1]}`);
    if (sc.gold) parts.push(`gold <span class="blue">${Math.round(sc.gold[0])}</span>-<span class="red">${Math.round(sc.gold[1])}</span>`);
    parts.push(f.paused ? `<span class="paused">PAUSED</span>` : `▶ ${f.speed ?? 1}x`);
    if (this.isPlayer && Array.isArray(f.apm)) parts.push(`<span class="${f.apm[0] === 0 ? "bad" : ""}">APM ${f.apm[0]}/${f.apm[1]}</span>`);
    if (this.isPlayer) parts.push(`[${esc(this.who())}]`);
    if (this.mode === "replay" && this.hello.end_tick != null) parts.push(`replay ${clock(this.hello.end_tick / TPS)} total`);
    const h = this.hello;
    const fog = h.viewer == null ? "full vision" : `${SIDES[h.viewer]}'s fog`;
    let role = h.role === "spectator" ? "spectating" : h.role === "replay" ? "replay" : `you: ${h.role}`;
    if (h.delay_s) role += ` (${h.delay_s}s behind)`;
    parts.push(`<span class="dim">${esc(role)} · ${esc(fog)}</span>`);
    if (f.done) parts.push(`<b>${f.winner ? (f.winner === "draw" ? "DRAW" : esc(f.winner.toUpperCase()) + " WINS") : "OVER"}</b>`);
    this.el.status.innerHTML = parts.join(" · ");
    if (this.el.speed) this.el.speed.textContent = f.paused ? "paused" : `${f.speed ?? 1}x`;
    if (this.el.pause) this.el.pause.textContent = f.paused ? "resume" : "pause";
    document.title = `Shotcaller ${f.time} · ${h.role}`;
  }

  updatePanel() {
    const f = this.frame;
    const leaders = (f && Array.isArray(f.leaders) ? f.leaders : []).slice();
    const drawn = SIDES[this.sideDrawn];
    leaders.sort((a, b) => (a.team === b.team ? a.index - b.index : a.team === drawn ? -1 : 1));
    const keys = leaders.map((l) => `${l.team}${l.index}`).join(",");
    const box = this.el.leaders;
    if (box && keys !== this.leaderKeys) {
      this.leaderKeys = keys;
      box.innerHTML = leaders
        .map((l) => {
          const g = SIDES.indexOf(l.team) * 5 + l.index;
          return `<div class="leader team-${esc(l.team)}" data-g="${g}" data-index="${l.index}" data-team="${esc(l.team)}">
  <div class="l1"><span class="num">${l.index + 1}</span><span class="name"></span><span class="hpbar"><div></div></span><span class="hptext"></span></div>
  <div class="l2"></div><div class="l3"></div></div>`;
        })
        .join("");
    }
    if (box) {
      const blocks = box.children;
      for (let i = 0; i < leaders.length && i < blocks.length; i++) {
        const l = leaders[i];
        const b = blocks[i];
        const g = SIDES.indexOf(l.team) * 5 + l.index;
        const sel = this.isPlayer ? l.team === this.mySide && (this.selected < 0 || this.selected === l.index) : this.follow === g;
        b.classList.toggle("sel", !!sel);
        b.classList.toggle("dead", !l.alive);
        b.querySelector(".name").textContent = l.name || this.leaderName(g);
        const maxhp = Math.max(1, Number(l.max_hp) || 1);
        const frac = l.alive ? Math.max(0, Math.min(1, Number(l.hp) / maxhp)) : 0;
        const bar = b.querySelector(".hpbar > div");
        bar.style.width = `${(frac * 100).toFixed(1)}%`;
        bar.style.background = hpColor(frac);
        const hpt = b.querySelector(".hptext");
        if (l.alive) {
          hpt.textContent = `${Math.round(l.hp)}/${Math.round(maxhp)}`;
          hpt.className = "hptext";
        } else {
          hpt.textContent = l.respawn_in_s != null ? `dead, ${secs(l.respawn_in_s)}` : "dead";
          hpt.className = "hptext respawn";
        }
        const stance = String(l.stance ?? "").slice(0, 4);
        const tp = Number(l.teleport_in_s) > 0 ? `tp ${secs(l.teleport_in_s)}` : `<span class="ready">tp ok</span>`;
        b.querySelector(".l2").innerHTML =
          `<span class="gold">${Math.floor(Number(l.gold) || 0)}g</span> <span class="order">${esc(l.order || "default plan")}</span> · ${esc(stance)} · ${tp}`;
        const sk = (l.skills || [])
          .map((s) => `${esc(String(s.name).slice(0, 9))} ${Number(s.ready_in_s) > 0 ? secs(s.ready_in_s) : '<span class="ready">ok</span>'}`)
          .join(" ");
        const items = (l.items || []).map((n) => esc(n)).join(", ");
        const l3 = b.querySelector(".l3");
        l3.innerHTML = sk + (items ? ` | ${items}` : "");
        l3.title = (l.items || []).join(", ");
      }
    }
    if (!this.isPlayer) return;
    // selection, pending orders, APM, shop affordability
    if (this.el.selinfo) this.el.selinfo.textContent = `[${this.who()}]`;
    if (this.el.pending) {
      const pend = (f && f.pending) || [];
      this.el.pending.innerHTML = pend.length
        ? pend
            .map((p) => {
              const who = p.leader < 0 ? "all" : this.leaderName(this.team * 5 + p.leader);
              const when = p.stage === "queued" ? "next decision" : p.in_s != null ? `in ${Number(p.in_s).toFixed(1)}s` : p.stage;
              return `<div class="p">${esc(who)}: ${esc(p.what)} — ${esc(when)}</div>`;
            })
            .join("")
        : `<div class="p">none</div>`;
    }
    if (this.el.apm) {
      const apm = f && f.apm;
      this.el.apm.textContent = Array.isArray(apm) ? `APM ${apm[0]}/${apm[1]}` : "";
      this.el.apm.classList.toggle("zero", Array.isArray(apm) && apm[0] === 0);
    }
    this.updateShop();
  }

  selectedGold() {
    if (!this.isPlayer) return null;
    if (this.selected >= 0) {
      const ld = this.leaderData(this.team * 5 + this.selected);
      return ld ? Number(ld.gold) : null;
    }
    let best = null;
    for (let i = 0; i < 5; i++) {
      const ld = this.leaderData(this.team * 5 + i);
      if (ld) best = Math.max(best ?? 0, Number(ld.gold));
    }
    return best;
  }

  buildShop() {
    const shop = this.el.shop;
    if (!shop) return;
    shop.innerHTML = this.items
      .map(
        (it) => `<div class="item" data-item="${esc(it.id)}" data-price="${esc(it.price)}" title="buy ${esc(it.name)} (${esc(it.price)}g)">
  <span><span class="iname">${esc(it.name)}</span> <span class="gives">${esc(it.gives ?? "")}</span></span><span class="price">${esc(it.price)}g</span></div>`,
      )
      .join("");
  }

  updateShop() {
    const shop = this.el.shop;
    if (!shop) return;
    const gold = this.selectedGold();
    for (const el of shop.querySelectorAll(".item")) {
      const price = Number(el.dataset.price);
      el.classList.toggle("unaffordable", gold != null && price > gold);
    }
    if (this.el["shop-gold"]) {
      this.el["shop-gold"].textContent =
        gold == null ? "" : this.selected >= 0 ? `${this.who()}: ${Math.floor(gold)}g` : `richest: ${Math.floor(gold)}g`;
    }
  }

  buildOrders() {
    const box = this.el.orders;
    if (!box) return;
    box.innerHTML = ORDER_BUTTONS.map(
      ([kind, key, label]) => `<button type="button" data-order="${kind}" title="${kind} (${key})">${label}<span class="k">${key}</span></button>`,
    ).join("");
  }

  // ------------------------------------------------------------------ orders
  give(kind, a = 0, b = 0, leader = this.selected) {
    if (!this.isPlayer) return;
    const msg = { type: "order", leader, kind, a: Math.trunc(a), b: Math.trunc(b) };
    const what = `${leader < 0 ? "all" : this.who(leader)}: ${this.describe(kind, a, b)}`;
    if (this.frame && this.frame.done) {
      this.notice(`${what} not sent: the match is over`, true);
      return;
    }
    if (this.send(msg)) this.notice(`${what} (sent)`);
    else this.notice(`${what} not sent: not connected`, true);
  }

  describe(kind, a, b) {
    switch (kind) {
      case "lane":
      case "push":
      case "defend":
        return `${kind} ${this.lanes[a] ?? a}`;
      case "gank":
        return `gank ${this.leaderName(a)}`;
      case "group":
        return `group at ${a},${b}`;
      case "buy":
        return `buy ${(this.itemById.get(a) || {}).name ?? a}`;
      case "teleport":
        return `teleport to the ${(this.buildingBySlot.get(a) || {}).label ?? a}`;
      case "stance":
        return `stance ${this.stances[a] ?? a}`;
      default:
        return kind;
    }
  }

  orderAction(kind) {
    if (!this.isPlayer) return;
    switch (kind) {
      case "lane":
      case "push":
      case "defend":
        this.openPicker(
          `${this.who()}: ${kind} which lane?`,
          this.lanes.map((ln, i) => ({ label: `${kind} ${ln}`, value: i })),
          (v) => this.give(kind, v),
        );
        break;
      case "gank":
        this.pickGank();
        break;
      case "group":
        this.orderGroup();
        break;
      case "retreat":
        this.give("retreat");
        break;
      case "buy":
        this.toggleShop();
        break;
      case "teleport":
        this.pickTeleport();
        break;
      case "stance":
        this.openPicker(
          `${this.who()}: which stance?`,
          this.stances.map((s, i) => ({ label: `stance ${s}`, value: i })),
          (v) => this.give("stance", v),
        );
        break;
      case "fortify":
        this.give("fortify", 0, 0, -1);
        break;
      default:
        break;
    }
  }

  pickGank() {
    const e = 1 - this.team;
    const units = this.unitsOf();
    const opts = [];
    for (let i = 0; i < 5; i++) {
      const g = e * 5 + i;
      const u = units.find((x) => x.kind === "leader" && !x.stale && this.leaderIndex(x) === g);
      const ld = this.leaderData(g);
      const note = u ? "" : ld && !ld.alive ? "(dead)" : "(not visible)";
      opts.push({ label: `gank ${this.leaderName(g)}`, note, value: g, off: !u });
    }
    this.openPicker(`${this.who()}: gank whom?`, opts, (v) => this.give("gank", v));
  }

  ownStandingBuildings() {
    const side = this.mySide;
    const units = this.unitsOf();
    const bySlot = new Map(units.filter((u) => u.slot < 26).map((u) => [u.slot, u]));
    return this.buildings.filter((b) => {
      if (b.team !== side) return false;
      const u = bySlot.get(b.slot);
      return !u || u.kind !== "rubble";
    });
  }

  pickTeleport() {
    const opts = this.ownStandingBuildings().map((b) => ({ label: `teleport to the ${b.label}`, value: b.slot }));
    if (!opts.length) {
      this.notice("no standing building to teleport to", true);
      return;
    }
    this.openPicker(`${this.who()}: teleport where?`, opts, (v) => this.give("teleport", v));
  }

  nearestFloor(x, y) {
    if (this.isFloor(x, y)) return { x, y };
    for (let r = 1; r <= 4; r++) {
      let best = null;
      for (let dy = -r; dy <= r; dy++)
        for (let dx = -r; dx <= r; dx++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) !== r || !this.isFloor(x + dx, y + dy)) continue;
          const d = dx * dx + dy * dy;
          if (!best || d < best.d) best = { x: x + dx, y: y + dy, d };
        }
      if (best) return { x: best.x, y: best.y };
    }
    return { x, y };
  }

  isFloor(x, y) {
    return x >= 0 && y >= 0 && x < this.W && y < this.H && this.floor[y * this.W + x] === 1;
  }

  orderGroup() {
    // the last clicked point (or where the arrows moved the cursor), else where the followed leader stands
    let p = this.cursor;
    if (!p) {
      const u = this.findLeaderUnit(this.follow);
      if (u) p = { x: Math.round(u.x), y: Math.round(u.y) };
    }
    if (!p) {
      this.notice("group: click the map first (or move the cursor with the arrows)", true);
      return;
    }
    const q = this.nearestFloor(p.x, p.y);
    this.give("group", q.x, q.y);
  }

  mapClicked(x, y) {
    this.cursor = { x, y };
    this.dirty = true;
    if (!this.isPlayer) return;
    const near = this.unitsOf().filter((u) => Math.abs(Math.round(u.x) - x) <= 1 && Math.abs(Math.round(u.y) - y) <= 1);
    near.sort((a, b) => Math.hypot(a.x - x, a.y - y) - Math.hypot(b.x - x, b.y - y));
    for (const u of near) {
      if (u.kind === "leader" && !u.stale && u.team !== this.mySide) {
        const g = this.leaderIndex(u);
        if (g >= 0) return this.give("gank", g);
      }
    }
    for (const u of near) {
      if (BUILDING_KINDS.has(u.kind) && u.team === this.mySide && u.slot < 26) return this.give("teleport", u.slot);
    }
    const q = this.nearestFloor(x, y);
    this.give("group", q.x, q.y);
  }

  select(i) {
    this.selected = i;
    if (i >= 0 && this.team != null) this.follow = this.team * 5 + i;
    this.camFree = false;
    this.updatePanel();
    this.updateStatus();
    this.dirty = true;
  }

  followLeader(g) {
    this.follow = g;
    this.camFree = false;
    this.updatePanel();
    this.dirty = true;
  }

  toggleShop(force) {
    const shop = this.el.shop;
    if (!shop) return;
    shop.hidden = force != null ? !force : !shop.hidden;
    if (!shop.hidden) shop.scrollIntoView({ block: "nearest" });
  }

  speedStep(dir) {
    const cur = (this.frame && this.frame.speed) || 1;
    let i = SPEEDS.indexOf(cur);
    if (i < 0) i = 0;
    const n = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + dir))];
    if (n !== cur) this.send({ type: "speed", speed: n });
  }

  // ------------------------------------------------------------------ pickers
  openPicker(title, options, onPick) {
    const el = this.el.picker;
    if (!el) return;
    this.picker = { options, onPick, cur: 0 };
    const keys = options.map((_, i) => (i < 9 ? String(i + 1) : PICK_KEYS[i] || ""));
    this.picker.keys = keys;
    el.innerHTML =
      `<div class="title">${esc(title)}</div>` +
      options
        .map(
          (o, i) =>
            `<button type="button" class="opt${o.off ? " off" : ""}" data-i="${i}"><span class="key">${esc(keys[i])}</span>${esc(o.label)} <span class="dim">${esc(o.note || "")}</span></button>`,
        )
        .join("") +
      `<div class="dim" style="margin-top:4px;font-size:11px">number to pick · arrows + Enter · Esc cancels</div>`;
    el.hidden = false;
    this.pickerCursor(0);
  }

  pickerCursor(i) {
    if (!this.picker) return;
    const n = this.picker.options.length;
    this.picker.cur = (i + n) % n;
    this.el.picker.querySelectorAll(".opt").forEach((b, k) => b.classList.toggle("cur", k === this.picker.cur));
  }

  closePicker() {
    this.picker = null;
    if (this.el.picker) this.el.picker.hidden = true;
  }

  pick(i) {
    const p = this.picker;
    if (!p || i < 0 || i >= p.options.length) return;
    this.closePicker();
    p.onPick(p.options[i].value);
  }

  pickerKey(e) {
    const p = this.picker;
    if (e.key === "Escape") this.closePicker();
    else if (e.key === "ArrowDown") this.pickerCursor(p.cur + 1);
    else if (e.key === "ArrowUp") this.pickerCursor(p.cur - 1);
    else if (e.key === "Enter") this.pick(p.cur);
    else {
      const i = p.keys.indexOf(e.key);
      if (i >= 0) this.pick(i);
      else return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ input
  installInput() {
    const canvas = this.el.map;
    let down = null;
    canvas.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      canvas.setPointerCapture(e.pointerId);
      down = { x: e.clientX, y: e.clientY, camX: this.camX, camY: this.camY, dragged: false };
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!down) return;
      const dx = e.clientX - down.x;
      const dy = e.clientY - down.y;
      if (!down.dragged && Math.hypot(dx, dy) > 5 && !this.fits) {
        down.dragged = true;
        canvas.classList.add("drag");
      }
      if (down.dragged) {
        const dpr = window.devicePixelRatio || 1;
        this.camFree = true;
        this.camX = down.camX - (dx * dpr) / this.ts;
        this.camY = down.camY - (dy * dpr) / this.ts;
        this.clampCam();
        this.dirty = true;
      }
    });
    const up = (e) => {
      if (!down) return;
      const wasDrag = down.dragged;
      down = null;
      canvas.classList.remove("drag");
      if (wasDrag || !this.hello || e.type === "pointercancel") return;
      const t = this.tileAt(e);
      if (t) this.mapClicked(t.x, t.y);
    };
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", up);

    this.el.minimap.addEventListener("pointerdown", (e) => {
      if (!this.hello) return;
      const r = this.el.minimap.getBoundingClientRect();
      const x = Math.floor(((e.clientX - r.left) / r.width) * this.W);
      const y = Math.floor(((e.clientY - r.top) / r.height) * this.H);
      this.lookAt(Math.max(0, Math.min(this.W - 1, x)), Math.max(0, Math.min(this.H - 1, y)));
    });

    if (this.el.leaders)
      this.el.leaders.addEventListener("pointerdown", (e) => {
        const b = e.target.closest(".leader");
        if (!b) return;
        const g = Number(b.dataset.g);
        if (this.isPlayer && b.dataset.team === this.mySide) this.select(Number(b.dataset.index));
        else this.followLeader(g);
      });
    if (this.el["sel-all"]) this.el["sel-all"].addEventListener("click", () => this.select(-1));
    if (this.el.orders)
      this.el.orders.addEventListener("click", (e) => {
        const b = e.target.closest("button[data-order]");
        if (b) this.orderAction(b.dataset.order);
      });
    if (this.el.shop)
      this.el.shop.addEventListener("click", (e) => {
        const it = e.target.closest(".item");
        if (it) this.give("buy", Number(it.dataset.item));
      });
    if (this.el.picker)
      this.el.picker.addEventListener("click", (e) => {
        const b = e.target.closest(".opt");
        if (b) this.pick(Number(b.dataset.i));
      });
    if (this.el.pause) this.el.pause.addEventListener("click", () => this.send({ type: "pause" }));
    if (this.el.slower) this.el.slower.addEventListener("click", () => this.speedStep(-1));
    if (this.el.faster) this.el.faster.addEventListener("click", () => this.speedStep(1));
    if (this.el["help-btn"]) this.el["help-btn"].addEventListener("click", () => this.toggleHelp());
    document.addEventListener("keydown", (e) => this.onKey(e));
    // a clicked button keeps no focus, so that space and Enter stay the game's keys
    document.addEventListener("click", (e) => {
      const b = e.target && e.target.closest && e.target.closest("button");
      if (b) b.blur();
    });
  }

  tileAt(e) {
    const r = this.el.map.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const x = Math.floor(((e.clientX - r.left) * dpr) / this.ts + this.camX);
    const y = Math.floor(((e.clientY - r.top) * dpr) / this.ts + this.camY);
    if (x < 0 || y < 0 || x >= this.W || y >= this.H) return null;
    return { x, y };
  }

  lookAt(x, y) {
    this.cursor = { x, y };
    this.camFree = true;
    this.centerOn(x + 0.5, y + 0.5);
    this.dirty = true;
  }

  toggleHelp(force) {
    const h = this.el.help;
    if (!h) return;
    h.hidden = force != null ? !force : !h.hidden;
    if (!h.hidden) h.textContent = this.helpText();
  }

  helpText() {
    const lines = [];
    if (this.isPlayer) {
      lines.push(
        "1-5      select a leader (camera follows)",
        "0 / a    select the whole team   Tab next",
        "l p d    lane / push / defend (then 1 2 3)",
        "g        gank a visible enemy leader",
        "o        group at the last clicked point",
        "r        retreat        b  shop",
        "t        teleport       s  stance",
        "F        fortify (whole team)",
        "click    group / teleport (own building) /",
        "         gank (enemy leader)",
      );
      if (this.canTime) lines.push("space    pause          + -  speed");
    } else {
      lines.push("1-5      follow a leader (shift: other side)", "click    move the cursor");
    }
    if (this.mode === "replay") lines.push("space    play / pause   + -  speed", "[ ]      10 s back / forward", "n        next event");
    lines.push("arrows   move the cursor (shift: 5 tiles)", "c        follow the selected leader again", "drag     move the camera (large maps)", "minimap  look there        ?  this help");
    return lines.join("\n");
  }

  onKey(e) {
    const tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (this.picker) {
      if (this.pickerKey(e)) e.preventDefault();
      return;
    }
    for (const hk of this.hooks.key) if (hk(e)) return e.preventDefault();
    const k = e.key;
    let handled = true;
    const digitShift = /^Digit[1-5]$/.test(e.code || "") && e.shiftKey ? Number(e.code[5]) : 0;
    if (k === "?") this.toggleHelp();
    else if (k === "Escape") {
      this.toggleHelp(false);
      if (this.el.end && !this.el.end.hidden) this.el.end.hidden = true;
    } else if (digitShift || "!@#$%".includes(k) && k.length === 1) {
      const n = digitShift || "!@#$%".indexOf(k) + 1;
      this.followLeader((1 - this.sideDrawn) * 5 + n - 1);
    } else if (k >= "1" && k <= "5" && k.length === 1) {
      if (this.isPlayer) this.select(Number(k) - 1);
      else this.followLeader(this.sideDrawn * 5 + Number(k) - 1);
    } else if ((k === "0" || k === "a") && this.isPlayer) this.select(-1);
    else if (k === "Tab" && this.isPlayer) this.select(this.selected < 4 ? this.selected + 1 : -1);
    else if (k === "l" && this.isPlayer) this.orderAction("lane");
    else if (k === "p" && this.isPlayer) this.orderAction("push");
    else if (k === "d" && this.isPlayer) this.orderAction("defend");
    else if (k === "g" && this.isPlayer) this.orderAction("gank");
    else if (k === "o" && this.isPlayer) this.orderAction("group");
    else if (k === "r" && this.isPlayer) this.orderAction("retreat");
    else if (k === "b" && this.isPlayer) this.toggleShop();
    else if (k === "t" && this.isPlayer) this.orderAction("teleport");
    else if (k === "s" && this.isPlayer) this.orderAction("stance");
    else if (k === "F" && this.isPlayer) this.orderAction("fortify");
    else if (k === " " && this.canTime) this.send({ type: "pause" });
    else if ((k === "+" || k === "=") && this.canTime) this.speedStep(1);
    else if (k === "-" && this.canTime) this.speedStep(-1);
    else if (k === "c") {
      if (this.isPlayer && this.selected >= 0) this.follow = this.team * 5 + this.selected;
      this.camFree = false;
      this.dirty = true;
    } else if (k.startsWith("Arrow")) {
      const step = e.shiftKey ? 5 : 1;
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[k];
      if (!this.hello || !d) return;
      let p = this.cursor;
      if (!p || !this.camFree) {
        const u = this.findLeaderUnit(this.follow);
        p = p || (u ? { x: Math.round(u.x), y: Math.round(u.y) } : { x: Math.floor(this.W / 2), y: Math.floor(this.H / 2) });
      }
      const x = Math.max(0, Math.min(this.W - 1, p.x + d[0] * step));
      const y = Math.max(0, Math.min(this.H - 1, p.y + d[1] * step));
      this.cursor = { x, y };
      this.camFree = true;
      this.keepInView(x, y);
      this.dirty = true;
    } else handled = false;
    if (handled) e.preventDefault();
  }

  // ------------------------------------------------------------------ camera and layout
  layout() {
    if (!this.hello) return;
    const wrap = this.el.mapwrap;
    const aw = Math.max(50, wrap.clientWidth);
    const ah = Math.max(50, wrap.clientHeight);
    const W = this.W;
    const H = this.H;
    const s = Math.max(10, Math.min(48, Math.floor(Math.min(aw / W, ah / H))));
    this.fits = W * s <= aw && H * s <= ah;
    const cw = Math.min(aw, W * s);
    const ch = Math.min(ah, H * s);
    const dpr = window.devicePixelRatio || 1;
    const c = this.el.map;
    c.style.width = `${cw}px`;
    c.style.height = `${ch}px`;
    c.style.left = `${Math.floor((aw - cw) / 2)}px`;
    c.style.top = `${Math.floor((ah - ch) / 2)}px`;
    c.width = Math.round(cw * dpr);
    c.height = Math.round(ch * dpr);
    this.ts = s * dpr;
    if (this.baseTs !== this.ts) this.buildBase();
    const m = this.el.minimap;
    m.width = W * 3;
    m.height = H * 3;
    this.clampCam();
    this.dirty = true;
  }

  viewTiles() {
    return { w: this.el.map.width / this.ts, h: this.el.map.height / this.ts };
  }

  clampCam() {
    if (!this.hello) return;
    const v = this.viewTiles();
    this.camX = Math.max(0, Math.min(this.W - v.w, this.camX));
    this.camY = Math.max(0, Math.min(this.H - v.h, this.camY));
  }

  centerOn(x, y) {
    const v = this.viewTiles();
    this.camX = x - v.w / 2;
    this.camY = y - v.h / 2;
    this.clampCam();
  }

  keepInView(x, y) {
    const v = this.viewTiles();
    const m = 3;
    if (x < this.camX + m) this.camX = x - m;
    if (x + 1 > this.camX + v.w - m) this.camX = x + 1 - v.w + m;
    if (y < this.camY + m) this.camY = y - m;
    if (y + 1 > this.camY + v.h - m) this.camY = y + 1 - v.h + m;
    this.clampCam();
  }

  updateCamera() {
    if (this.fits) {
      this.camX = 0;
      this.camY = 0;
      return;
    }
    if (!this.camFree) {
      const u = this.findLeaderUnit(this.follow);
      if (u) this.centerOn(u.x + 0.5, u.y + 0.5);
    }
    this.clampCam();
  }

  // ------------------------------------------------------------------ drawing
  buildBase() {
    const ts = this.ts;
    const W = this.W;
    const H = this.H;
    const c = document.createElement("canvas");
    c.width = Math.ceil(W * ts);
    c.height = Math.ceil(H * ts);
    const g = c.getContext("2d");
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const px = x * ts;
        const py = y * ts;
        const r = hash2(x, y);
        if (this.floor[y * W + x]) {
          const l = 38 + Math.floor(r * 5);
          g.fillStyle = `hsl(38, 18%, ${l}%)`;
          g.fillRect(px, py, ts + 0.5, ts + 0.5);
          // pebbles
          g.fillStyle = "rgba(0,0,0,0.13)";
          for (let k = 0; k < 2; k++) {
            const a = hash2(x, y, k + 1);
            const b = hash2(x, y, k + 7);
            g.fillRect(px + a * ts * 0.85, py + b * ts * 0.85, Math.max(1, ts * 0.1), Math.max(1, ts * 0.1));
          }
        } else {
          g.fillStyle = `hsl(135, 38%, ${13 + Math.floor(r * 3)}%)`;
          g.fillRect(px, py, ts + 0.5, ts + 0.5);
        }
      }
    // tree crowns over the forest tiles (drawn after so they may overlap a little)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        if (this.floor[y * W + x]) continue;
        const r = hash2(x, y, 3);
        const cx = (x + 0.3 + hash2(x, y, 4) * 0.4) * ts;
        const cy = (y + 0.3 + hash2(x, y, 5) * 0.4) * ts;
        const rad = ts * (0.3 + r * 0.18);
        g.fillStyle = "rgba(0,0,0,0.25)";
        g.beginPath();
        g.arc(cx + ts * 0.08, cy + ts * 0.1, rad, 0, Math.PI * 2);
        g.fill();
        g.fillStyle = `hsl(${125 + r * 20}, 42%, ${20 + r * 9}%)`;
        g.beginPath();
        g.arc(cx, cy, rad, 0, Math.PI * 2);
        g.fill();
        g.fillStyle = "rgba(255,255,255,0.07)";
        g.beginPath();
        g.arc(cx - rad * 0.3, cy - rad * 0.3, rad * 0.45, 0, Math.PI * 2);
        g.fill();
      }
    this.base = c;
    this.baseTs = ts;
  }

  buildMiniBase() {
    const W = this.W;
    const H = this.H;
    const c = document.createElement("canvas");
    c.width = W;
    c.height = H;
    const g = c.getContext("2d");
    const img = g.createImageData(W, H);
    for (let i = 0; i < W * H; i++) {
      const f = this.floor[i];
      img.data[i * 4] = f ? 112 : 26;
      img.data[i * 4 + 1] = f ? 104 : 64;
      img.data[i * 4 + 2] = f ? 84 : 34;
      img.data[i * 4 + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    this.miniBase = c;
  }

  updateFog() {
    const W = this.W;
    const H = this.H;
    const g = this.fogCanvas.getContext("2d");
    g.clearRect(0, 0, W, H);
    if (!this.seen) return;
    const img = g.createImageData(W, H);
    for (let i = 0; i < W * H; i++) {
      if (!this.seen[i]) {
        img.data[i * 4 + 3] = 150; // black at ~60%
      }
    }
    g.putImageData(img, 0, 0);
  }

  draw() {
    if (!this.hello || !this.base) return;
    this.updateCamera();
    const ctx = this.ctx;
    const ts = this.ts;
    const cw = this.el.map.width;
    const chh = this.el.map.height;
    const ox = -this.camX * ts;
    const oy = -this.camY * ts;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, cw, chh);
    ctx.drawImage(this.base, Math.round(ox), Math.round(oy));
    if (this.seen) ctx.drawImage(this.fogCanvas, 0, 0, this.W, this.H, Math.round(ox), Math.round(oy), this.W * ts, this.H * ts);
    const units = this.unitsOf().sort((a, b) => (UNIT_ORDER[a.kind] ?? 1) - (UNIT_ORDER[b.kind] ?? 1));
    const vx0 = this.camX - 2;
    const vy0 = this.camY - 2;
    const v = this.viewTiles();
    for (const u of units) {
      if (u.x < vx0 || u.y < vy0 || u.x > this.camX + v.w + 2 || u.y > this.camY + v.h + 2) continue;
      this.drawUnit(ctx, u, ox + (u.x + 0.5) * ts, oy + (u.y + 0.5) * ts, ts);
    }
    // the cursor (last clicked point)
    if (this.cursor) {
      ctx.strokeStyle = "#facc15";
      ctx.lineWidth = Math.max(1.5, ts * 0.1);
      ctx.setLineDash([ts * 0.25, ts * 0.15]);
      ctx.strokeRect(ox + this.cursor.x * ts + 1, oy + this.cursor.y * ts + 1, ts - 2, ts - 2);
      ctx.setLineDash([]);
    }
    this.drawMinimap(units);
  }

  drawBar(ctx, cx, top, w, h, frac) {
    ctx.fillStyle = "rgba(0,0,0,0.7)";
    ctx.fillRect(cx - w / 2 - 1, top - 1, w + 2, h + 2);
    ctx.fillStyle = "#3f1010";
    ctx.fillRect(cx - w / 2, top, w, h);
    ctx.fillStyle = hpColor(frac);
    ctx.fillRect(cx - w / 2, top, w * Math.max(0, Math.min(1, frac)), h);
  }

  drawUnit(ctx, u, cx, cy, ts) {
    const col = COLORS[u.team] || { main: "#999", light: "#ccc", dark: "#444", creep: "#aaa", summon: "#ccc" };
    const lw = Math.max(1, ts * 0.08);
    switch (u.kind) {
      case "rubble": {
        ctx.strokeStyle = "#8b8b8b";
        ctx.lineWidth = Math.max(1.5, ts * 0.12);
        const r = ts * 0.35;
        ctx.beginPath();
        ctx.moveTo(cx - r, cy - r);
        ctx.lineTo(cx + r, cy + r);
        ctx.moveTo(cx + r, cy - r);
        ctx.lineTo(cx - r, cy + r);
        ctx.stroke();
        ctx.fillStyle = "#6b6b6b";
        for (let k = 0; k < 4; k++) ctx.fillRect(cx + (hash2(u.slot, k) - 0.5) * ts, cy + (hash2(k, u.slot) - 0.5) * ts, ts * 0.15, ts * 0.15);
        break;
      }
      case "creep": {
        ctx.fillStyle = col.creep;
        ctx.strokeStyle = col.dark;
        ctx.lineWidth = lw;
        ctx.beginPath();
        ctx.arc(cx, cy, ts * 0.22, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
        if (u.hp < 0.999) this.drawBar(ctx, cx, cy - ts * 0.42, ts * 0.6, Math.max(1, ts * 0.08), u.hp);
        break;
      }
      case "treant":
      case "elephant": {
        ctx.fillStyle = col.summon;
        ctx.strokeStyle = col.dark;
        ctx.lineWidth = lw;
        ctx.beginPath();
        if (u.kind === "treant") {
          ctx.moveTo(cx, cy - ts * 0.4);
          ctx.lineTo(cx + ts * 0.36, cy + ts * 0.32);
          ctx.lineTo(cx - ts * 0.36, cy + ts * 0.32);
        } else {
          ctx.ellipse(cx, cy, ts * 0.42, ts * 0.3, 0, 0, Math.PI * 2);
        }
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
        this.drawBar(ctx, cx, cy - ts * 0.55, ts * 0.8, Math.max(1, ts * 0.09), u.hp);
        break;
      }
      case "tower":
      case "barracks":
      case "core": {
        const size = u.kind === "core" ? 1.7 : u.kind === "barracks" ? 1.3 : 0.95;
        const w = ts * size * (u.kind === "barracks" ? 1.25 : 1);
        const h = ts * size;
        const fill = u.stale ? "#4b5058" : col.dark;
        const edge = u.stale ? "#8a8f96" : col.main;
        ctx.fillStyle = "rgba(0,0,0,0.35)";
        ctx.fillRect(cx - w / 2 + ts * 0.1, cy - h / 2 + ts * 0.12, w, h);
        ctx.fillStyle = fill;
        ctx.strokeStyle = edge;
        ctx.lineWidth = Math.max(1.5, ts * 0.1);
        if (u.kind === "core") {
          ctx.beginPath();
          ctx.moveTo(cx, cy - h / 2);
          ctx.lineTo(cx + w / 2, cy);
          ctx.lineTo(cx, cy + h / 2);
          ctx.lineTo(cx - w / 2, cy);
          ctx.closePath();
          ctx.fill();
          ctx.stroke();
        } else {
          ctx.fillRect(cx - w / 2, cy - h / 2, w, h);
          ctx.strokeRect(cx - w / 2, cy - h / 2, w, h);
          if (u.kind === "tower") {
            ctx.fillStyle = edge;
            ctx.fillRect(cx - w * 0.18, cy - h * 0.18, w * 0.36, h * 0.36);
          }
        }
        if (u.kind !== "tower") {
          ctx.fillStyle = u.stale ? "#b0b4ba" : u.hp < 1 / 3 ? "#facc15" : "#fff";
          ctx.font = `bold ${Math.round(ts * 0.6)}px ui-monospace, monospace`;
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          ctx.fillText(u.glyph || (u.kind === "core" ? "C" : "B"), cx, cy + ts * 0.03);
        }
        this.drawBar(ctx, cx, cy + h / 2 + ts * 0.08, Math.max(w, ts), Math.max(2, ts * 0.12), u.hp);
        break;
      }
      case "leader": {
        const g = this.leaderIndex(u);
        const r = ts * 0.55;
        const sel = this.isPlayer
          ? u.team === this.mySide && (this.selected === -1 ? false : this.team * 5 + this.selected === g)
          : this.follow === g;
        if (sel) {
          ctx.strokeStyle = "#facc15";
          ctx.lineWidth = Math.max(2, ts * 0.14);
          ctx.beginPath();
          ctx.arc(cx, cy, r + ts * 0.18, 0, Math.PI * 2);
          ctx.stroke();
        }
        ctx.fillStyle = "rgba(0,0,0,0.35)";
        ctx.beginPath();
        ctx.arc(cx + ts * 0.08, cy + ts * 0.1, r, 0, Math.PI * 2);
        ctx.fill();
        ctx.fillStyle = col.main;
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = Math.max(1.5, ts * 0.09);
        ctx.beginPath();
        ctx.arc(cx, cy, r, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
        ctx.fillStyle = u.hp < 1 / 3 ? "#facc15" : "#fff";
        ctx.font = `bold ${Math.round(ts * 0.72)}px ui-monospace, monospace`;
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText(String(u.glyph ?? "?"), cx, cy + ts * 0.04);
        this.drawBar(ctx, cx, cy - r - ts * 0.32, ts * 1.3, Math.max(2, ts * 0.14), u.hp);
        break;
      }
      default: {
        ctx.fillStyle = col.light;
        ctx.beginPath();
        ctx.arc(cx, cy, ts * 0.25, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }

  drawMinimap(units) {
    const m = this.mctx;
    const W = this.W;
    const H = this.H;
    const k = this.el.minimap.width / W;
    m.setTransform(1, 0, 0, 1, 0, 0);
    m.imageSmoothingEnabled = false;
    m.drawImage(this.miniBase, 0, 0, W, H, 0, 0, W * k, H * k);
    if (this.seen) m.drawImage(this.fogCanvas, 0, 0, W, H, 0, 0, W * k, H * k);
    for (const u of units) {
      const col = COLORS[u.team] || { main: "#999", light: "#ccc" };
      const x = Math.floor(u.x) * k;
      const y = Math.floor(u.y) * k;
      if (u.kind === "rubble") {
        m.fillStyle = "#777";
        m.fillRect(x, y, k, k);
      } else if (BUILDING_KINDS.has(u.kind)) {
        m.fillStyle = u.stale ? "#777" : col.main;
        m.fillRect(x - k, y - k, 3 * k, 3 * k);
        m.fillStyle = "#000";
        m.fillRect(x, y, k, k);
      } else if (u.kind === "leader") {
        m.fillStyle = "#fff";
        m.fillRect(x - k, y - k, 3 * k, 3 * k);
        m.fillStyle = col.main;
        m.fillRect(x - k + 1, y - k + 1, 3 * k - 2, 3 * k - 2);
      } else {
        m.fillStyle = col.light;
        m.fillRect(x, y, k, k);
      }
    }
    if (!this.fits) {
      const v = this.viewTiles();
      m.strokeStyle = "#facc15";
      m.lineWidth = 1;
      m.strokeRect(this.camX * k + 0.5, this.camY * k + 0.5, v.w * k - 1, v.h * k - 1);
    }
    if (this.cursor) {
      m.fillStyle = "#facc15";
      m.fillRect(this.cursor.x * k, this.cursor.y * k, k, k);
    }
  }

  // ------------------------------------------------------------------ end screen
  showEnd(msg) {
    const box = this.el.end;
    if (!box) return;
    const r = msg.result || {};
    const hist = msg.history || {};
    const winner = r.winner;
    const ticks = r.ticks != null ? r.ticks : this.frame ? this.frame.tick : null;
    const at = ticks != null ? clock(ticks / TPS) : r.minutes != null ? clock(Number(r.minutes) * 60) : "";
    let title;
    if (winner === "blue" || winner === "red") title = `${winner.toUpperCase()} WINS`;
    else if (winner === "draw") title = "DRAW";
    else title = "MATCH STOPPED";
    if (r.end_reason) title += ` (${r.end_reason})`;
    if (at) title += ` at ${at}`;
    if (this.isPlayer && (winner === "blue" || winner === "red")) title += winner === this.mySide ? " — you win" : " — you lose";
    const rows = (r.leaders || [])
      .map((l) => {
        const team = typeof l.team === "number" ? SIDES[l.team] : l.team;
        let name = l.leader;
        if (typeof name === "number") name = this.leaderName(name < 5 && team === "red" ? 5 + name : name);
        const items = Array.isArray(l.items) ? l.items.join(", ") : l.items ?? "";
        const n = (v) => (v == null ? "" : typeof v === "number" ? Math.round(v) : esc(v));
        return `<tr class="${esc(team)}"><td>${esc(team)}</td><td>${esc(name)}</td><td>${n(l.kills)}</td><td>${n(l.deaths)}</td><td>${n(l.last_hits)}</td><td>${n(l.gold)}</td><td>${n(l.damage)}</td><td>${esc(items)}</td></tr>`;
      })
      .join("");
    const teams = r.teams || {};
    const teamHtml = ["blue", "red"]
      .filter((s) => teams[s])
      .map((s) => {
        const t = teams[s];
        const kv = Object.entries(t)
          .filter(([, v]) => v == null || typeof v !== "object")
          .map(([k, v]) => `${esc(k.replace(/_/g, " "))} ${typeof v === "number" ? Math.round(v * 100) / 100 : esc(v)}`)
          .join(" · ");
        return `<div class="${s}"><b>${s}</b>: ${kv}</div>`;
      })
      .join("");
    const id = encodeURIComponent(this.matchId || "");
    const replayLinks =
      this.mode === "replay"
        ? `<a id="replay-download" href="/api/matches/${id}/replay" download="shotcaller-${id}.json">download the replay</a>`
        : `<a id="replay-download" href="/api/matches/${id}/replay" download="shotcaller-${id}.json">download the replay</a>
           <a href="replay.html?match=${id}">watch it in the replay viewer</a>`;
    box.innerHTML = `<div class="box">
  <h2 class="${esc(winner || "")}">${esc(title)}</h2>
  <div class="teams">${teamHtml}</div>
  <table><thead><tr><th>team</th><th>leader</th><th>kills</th><th>deaths</th><th>last hits</th><th>gold</th><th>damage</th><th>items</th></tr></thead>
  <tbody>${rows}</tbody></table>
  <div class="plots"><canvas id="plot-gold" width="440" height="190"></canvas><canvas id="plot-buildings" width="440" height="190"></canvas></div>
  <div class="actions">${replayLinks}<a href="index.html">lobby</a><button type="button" id="end-close">back to the map</button></div>
</div>`;
    box.hidden = false;
    box.querySelector("#end-close").addEventListener("click", () => (box.hidden = true));
    const t = Array.isArray(hist.t) ? hist.t : [];
    drawPlot(box.querySelector("#plot-gold"), "gold over time", t, hist.gold || []);
    drawPlot(box.querySelector("#plot-buildings"), "buildings lost over time", t, hist.buildings_lost || []);
  }

  hideEnd() {
    if (this.el.end) this.el.end.hidden = true;
  }
}

/** A small two-line plot (blue and red) of `series` ([[b, r], ...]) against `t` (seconds). */
export function drawPlot(canvas, title, t, series) {
  if (!canvas) return;
  const g = canvas.getContext("2d");
  const Wd = canvas.width;
  const Ht = canvas.height;
  const L = 46;
  const R = 10;
  const T = 22;
  const B = 24;
  g.fillStyle = "#1e242c";
  g.fillRect(0, 0, Wd, Ht);
  g.fillStyle = "#d8dde3";
  g.font = "12px system-ui, sans-serif";
  g.textAlign = "left";
  g.textBaseline = "top";
  g.fillText(title, L, 4);
  const n = Math.min(t.length, series.length);
  const tmax = n ? Math.max(1, Number(t[n - 1])) : 1;
  let vmax = 1;
  for (let i = 0; i < n; i++) for (const v of series[i] || []) vmax = Math.max(vmax, Number(v) || 0);
  const px = (s) => L + (Number(s) / tmax) * (Wd - L - R);
  const py = (v) => Ht - B - (Number(v) / vmax) * (Ht - T - B);
  g.strokeStyle = "#4b5563";
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(L, T);
  g.lineTo(L, Ht - B);
  g.lineTo(Wd - R, Ht - B);
  g.stroke();
  g.fillStyle = "#8a949f";
  g.font = "10px ui-monospace, monospace";
  g.textAlign = "right";
  g.textBaseline = "middle";
  g.fillText(String(Math.round(vmax)), L - 4, T);
  g.fillText("0", L - 4, Ht - B);
  g.textAlign = "center";
  g.textBaseline = "top";
  g.fillText("00:00", L, Ht - B + 4);
  g.fillText(clock(tmax), Wd - R - 14, Ht - B + 4);
  if (!n) {
    g.fillText("no data", Wd / 2, Ht / 2);
    return;
  }
  [["#3b82f6", 0], ["#ef4444", 1]].forEach(([color, k]) => {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    for (let i = 0; i < n; i++) {
      const v = (series[i] || [])[k] ?? 0;
      if (i === 0) g.moveTo(px(t[i]), py(v));
      else g.lineTo(px(t[i]), py(v));
    }
    g.stroke();
  });
  g.textAlign = "left";
  g.fillStyle = "#93c5fd";
  g.fillText("blue", Wd - 80, 6);
  g.fillStyle = "#fca5a5";
  g.fillText("red", Wd - 44, 6);
}

/** play.html: a player's seat (?match=ID&token=T) or a spectator (?match=ID&watch=all|blue|red). */
export function startPlay() {
  const q = params();
  const id = q.get("match");
  if (!id) {
    document.getElementById("status").textContent = "no match given (play.html?match=ID&token=… or &watch=all)";
    return null;
  }
  const token = q.get("token");
  const watch = q.get("watch") || "all";
  const qs = token ? `token=${encodeURIComponent(token)}` : `watch=${encodeURIComponent(watch)}`;
  const view = new MatchView({ mode: "play", matchId: id, wsUrl: `${wsBase()}/ws/${encodeURIComponent(id)}?${qs}` });
  view.start();
  return view;
}
