// Shotcaller replay viewer: the match view's renderer plus a timeline, play/pause, speed, 10 s jumps and
// "next event". replay.html?match=ID[&watch=all|blue|red]
import { MatchView, TPS, SPEEDS, clock, params, wsBase } from "./game.js";

const NOT_EVENTS = new Set(["order", "match"]); // "next event" skips orders, as the terminal's `n` does

export function startReplay() {
  const q = params();
  const game = q.get("game"); // a tournament game of the server's store
  const id = q.get("match") || (game ? `game ${game}` : null);
  const watch = q.get("watch") || "all";
  if (!id) {
    document.getElementById("status").textContent = "no match given (replay.html?match=ID or ?game=ID)";
    return null;
  }
  const path = game ? `/ws/replay/game/${encodeURIComponent(game)}` : `/ws/replay/${encodeURIComponent(id)}`;
  const view = new MatchView({
    mode: "replay",
    matchId: id,
    wsUrl: `${wsBase()}${path}?watch=${encodeURIComponent(watch)}`,
  });
  const $ = (s) => document.getElementById(s);
  const scrub = $("scrubber");
  const playBtn = $("play");
  const speedSel = $("replay-speed");
  const timeEl = $("replaytime");
  const known = new Set(); // ticks of the events seen so far (kept across seeks)
  let endTick = 0;
  let dragging = false;
  let lastSeekAt = 0;
  let lastSeekTick = 0;

  // view links: the same replay with another side's fog
  for (const a of document.querySelectorAll("#fogsel a[data-fog]")) {
    const u = new URL(location.href);
    u.searchParams.set("watch", a.dataset.fog);
    a.href = u.pathname + u.search;
    if (a.dataset.fog === watch) a.style.fontWeight = "bold";
  }

  const showTime = (tick) => {
    timeEl.textContent = `${clock(tick / TPS)} / ${clock(endTick / TPS)}`;
  };

  const seek = (tick) => {
    tick = Math.max(0, Math.min(endTick || tick, Math.round(tick)));
    if (!view.send({ type: "seek", tick })) {
      view.notice("not connected", true);
      return;
    }
    lastSeekAt = performance.now();
    lastSeekTick = tick;
    scrub.value = String(tick);
    showTime(tick);
    view.resetFeed(); // the server sends every event up to the new tick after a seek
    view.hideEnd();
  };

  // right after a seek the frames on their way still carry the old tick: count from where we asked to go
  const currentTick = () => (performance.now() - lastSeekAt < 500 ? lastSeekTick : view.frame ? view.frame.tick : 0);

  const togglePlay = () => {
    const paused = view.frame ? !!view.frame.paused : true;
    view.send({ type: paused ? "play" : "pause" });
  };

  const setSpeed = (s) => {
    view.send({ type: "speed", speed: s });
  };

  const speedStep = (dir) => {
    const cur = (view.frame && view.frame.speed) || 1;
    let i = SPEEDS.indexOf(cur);
    if (i < 0) i = 0;
    setSpeed(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + dir))]);
  };

  const nextEvent = () => {
    const now = currentTick();
    let best = null;
    for (const t of known) if (t > now && (best === null || t < best)) best = t;
    if (best !== null) {
      seek(best);
    } else if (now >= endTick) {
      view.notice("no more events", true);
    } else {
      // no later event known yet (they arrive as the replay plays): jump 10 s ahead
      view.notice("no later event known yet: 10 s forward");
      seek(Math.min(endTick, now + 10 * TPS));
    }
  };

  view.hooks.hello.push((h) => {
    endTick = h.end_tick != null ? h.end_tick : endTick;
    scrub.max = String(endTick);
    showTime(currentTick());
  });
  view.hooks.frame.push((f) => {
    for (const e of f.events || []) if (!NOT_EVENTS.has(e.type) && typeof e.tick === "number") known.add(e.tick);
    if (f.tick > endTick) {
      endTick = f.tick;
      scrub.max = String(endTick);
    }
    // do not fight the user's hand, nor the frames already on their way when a seek left
    if (!dragging && performance.now() - lastSeekAt > 300) scrub.value = String(f.tick);
    if (!dragging) showTime(f.tick);
    playBtn.textContent = f.paused ? "▶ play" : "❚❚ pause";
    if (document.activeElement !== speedSel) speedSel.value = String(f.speed || 1);
  });
  view.hooks.key.push((e) => {
    const k = e.key;
    if (k === " ") togglePlay();
    else if (k === "+" || k === "=") speedStep(1);
    else if (k === "-") speedStep(-1);
    else if (k === "]") seek(currentTick() + 10 * TPS);
    else if (k === "[") seek(currentTick() - 10 * TPS);
    else if (k === "n") nextEvent();
    else return false;
    return true;
  });

  scrub.addEventListener("pointerdown", () => (dragging = true));
  scrub.addEventListener("input", () => {
    dragging = true;
    showTime(Number(scrub.value));
  });
  scrub.addEventListener("change", () => {
    dragging = false;
    seek(Number(scrub.value));
  });
  scrub.addEventListener("pointerup", () => (dragging = false));
  scrub.addEventListener("keydown", (e) => {
    // space on the focused scrubber still plays/pauses
    if (e.key === " ") {
      e.preventDefault();
      togglePlay();
    }
  });
  playBtn.addEventListener("click", togglePlay);
  $("next-event").addEventListener("click", nextEvent);
  $("back10").addEventListener("click", () => seek(currentTick() - 10 * TPS));
  $("fwd10").addEventListener("click", () => seek(currentTick() + 10 * TPS));
  speedSel.addEventListener("change", () => setSpeed(Number(speedSel.value)));

  view.start();
  return view;
}
