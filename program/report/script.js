(function () {
"use strict";
const $ = (id) => document.getElementById(id);
const model = JSON.parse($("model-data").textContent);
const checks = JSON.parse($("check-data").textContent);
const ROWS = model.rows, COLS = model.cols, N_IN = ROWS * COLS;

function bytesOf(b64) {
  const bin = atob(b64), out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) out[i] = bin.charCodeAt(i);
  return out;
}
// base64 of little-endian float64: every weight exactly as the C++ program had it.
function doublesOf(b64) {
  const bytes = bytesOf(b64), view = new DataView(bytes.buffer), out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; ++i) out[i] = view.getFloat64(8 * i, true);
  return out;
}
const layers = model.layers.map((l) => ({
  inputs: l.inputs, outputs: l.outputs, activation: l.activation, W: doublesOf(l.W), b: doublesOf(l.b),
}));
// Each activation's rule, as the program that wrote the page knows it (one entry per name).
const rule = /*ACTIVATIONS*/;

// The forward pass, eq. (1) layer after layer: z_l = y_{l-1} W_l + b_l, y_l = phi_l(z_l); the output
// layer is a sigmoid (one output) or a softmax. x: the 28x28 input, row by row, in [0, 1].
function forward(x) {
  let y = x;
  for (let l = 0; l < layers.length; ++l) {
    const L = layers[l], n = L.outputs, z = new Float64Array(n);
    for (let k = 0; k < L.inputs; ++k) {
      const v = y[k];
      if (v === 0) continue;  // adds nothing
      const row = k * n;
      for (let j = 0; j < n; ++j) z[j] += v * L.W[row + j];
    }
    for (let j = 0; j < n; ++j) z[j] += L.b[j];
    y = rule[L.activation](z);
  }
  return y;
}
function predicted(y) {
  if (y.length === 1) return y[0] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < y.length; ++j) if (y[j] > y[best]) best = j;
  return best;
}
function probabilities(y) { return y.length === 1 ? [1 - y[0], y[0]] : Array.from(y); }

// ---- Self-check: the JavaScript forward pass against the C++ program's outputs -----------------
const samplePixels = bytesOf(checks.pixels);
function sampleInput(i) {
  const x = new Float64Array(N_IN);
  for (let k = 0; k < N_IN; ++k) x[k] = samplePixels[i * N_IN + k] / 255;
  return x;
}
function selfCheck() {
  let agree = 0, worst = 0, firstBad = "";
  for (let i = 0; i < checks.count; ++i) {
    const y = forward(sampleInput(i)), want = checks.outputs[i];
    let d = y.length === want.length ? 0 : Infinity;
    for (let j = 0; j < want.length && j < y.length; ++j) d = Math.max(d, Math.abs(y[j] - want[j]));
    if (!(d <= worst)) worst = d;
    if (d <= checks.tolerance && predicted(y) === checks.predicted[i]) ++agree;
    else if (!firstBad) firstBad = "test image " + checks.index[i] + ": JavaScript gives " +
        Array.from(y, (v) => v.toPrecision(8)).join(" ") + ", C++ gave " + want.join(" ");
  }
  const el = $("self-check");
  el.textContent = agree === checks.count ? "ok " + agree + "/" + checks.count
                                          : "FAIL " + agree + "/" + checks.count + ": " + firstBad;
  el.className = "r " + (agree === checks.count ? "ok" : "bad");
  $("self-check-detail").textContent = "largest difference |JavaScript - C++| over " + checks.count +
      " test images: " + worst.toExponential(2) + " (tolerance " + checks.tolerance + ")";
}

// ---- Preprocessing: a drawing becomes a 28x28 input the way MNIST's digits were made -----------
// ink: w*h values in [0, 1] (1 = full ink). The ink's bounding box is scaled to fit a 20x20 box,
// aspect ratio kept, each new pixel the average of the area it covers (anti-aliasing: grey levels
// at the edges); then it is placed in the 28x28 field so that its centre of mass is the centre.
function areaWeights(n, t) {  // n source cells onto t target cells: [target][[source, weight]]
  const f = n / t, out = [];
  for (let j = 0; j < t; ++j) {
    const lo = j * f, hi = (j + 1) * f, list = [];
    for (let k = Math.floor(lo); k < Math.min(n, Math.ceil(hi)); ++k) {
      const overlap = Math.min(hi, k + 1) - Math.max(lo, k);
      if (overlap > 0) list.push([k, overlap / f]);
    }
    out.push(list);
  }
  return out;
}
function preprocess(ink, w, h) {
  const out = new Float64Array(N_IN);
  let x0 = w, x1 = -1, y0 = h, y1 = -1;
  for (let y = 0; y < h; ++y)
    for (let x = 0; x < w; ++x)
      if (ink[y * w + x] > 0.1) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, box = 20 * Math.min(ROWS, COLS) / 28;
  const s = box / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * s)), th = Math.max(1, Math.round(bh * s));
  const wx = areaWeights(bw, tw), wy = areaWeights(bh, th);
  const across = new Float64Array(bh * tw);  // rows of the box, columns already scaled
  for (let y = 0; y < bh; ++y)
    for (let j = 0; j < tw; ++j) {
      let v = 0;
      for (const [k, wt] of wx[j]) v += wt * ink[(y0 + y) * w + x0 + k];
      across[y * tw + j] = v;
    }
  const small = new Float64Array(th * tw);
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < th; ++i)
    for (let j = 0; j < tw; ++j) {
      let v = 0;
      for (const [k, wt] of wy[i]) v += wt * across[k * tw + j];
      v = Math.min(1, Math.max(0, v));
      small[i * tw + j] = v;
      mass += v, mx += v * (j + 0.5), my += v * (i + 0.5);
    }
  if (!(mass > 0)) return out;
  const ox = Math.round(COLS / 2 - mx / mass), oy = Math.round(ROWS / 2 - my / mass);
  for (let i = 0; i < th; ++i)
    for (let j = 0; j < tw; ++j) {
      const r = i + oy, c = j + ox;
      if (r >= 0 && r < ROWS && c >= 0 && c < COLS) out[r * COLS + c] = small[i * tw + j];
    }
  return out;
}

// ---- The drawing pad -------------------------------------------------------------------------
const pad = $("pad"), ctx = pad.getContext("2d", { willReadFrequently: true });
const W = pad.width, H = pad.height;
const seen = $("seen"), seenCtx = seen.getContext("2d");
function clearPad() {
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, W, H);
}
function padInk() {  // dark ink on white paper -> ink in [0, 1]
  const d = ctx.getImageData(0, 0, W, H).data, ink = new Float64Array(W * H);
  for (let i = 0; i < W * H; ++i) ink[i] = 1 - (d[4 * i] + d[4 * i + 1] + d[4 * i + 2]) / 765;
  return ink;
}
function showInput(x) {
  const img = seenCtx.createImageData(COLS, ROWS);
  for (let i = 0; i < N_IN; ++i) {
    const g = Math.round(255 * (1 - x[i]));
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
    img.data[4 * i + 3] = 255;
  }
  seenCtx.putImageData(img, 0, 0);
}
function showOutputs(y) {
  const bars = $("bars");
  bars.textContent = "";
  if (!y) {
    $("answer").textContent = "";
    return;
  }
  const p = probabilities(y), best = predicted(y);
  $("answer").textContent = String(best);
  p.forEach((v, c) => {
    const row = document.createElement("div"), track = document.createElement("div");
    const fill = document.createElement("div"), label = document.createElement("span");
    row.className = "bar" + (c === best ? " top" : "");
    track.className = "track";
    fill.className = "fill";
    fill.style.width = (100 * v).toFixed(1) + "%";
    track.appendChild(fill);
    label.textContent = c + " " + v.toFixed(4);
    row.appendChild(track);
    row.appendChild(label);
    bars.appendChild(row);
  });
}
// The drawing through the same path every time: pixels -> preprocess -> forward. Returns the
// predicted class, or null for an empty pad.
function classifyPad() {
  const x = preprocess(padInk(), W, H);
  showInput(x);
  if (!x.some((v) => v > 0)) {
    showOutputs(null);
    return null;
  }
  const y = forward(x);
  showOutputs(y);
  return predicted(y);
}
let drawing = false, last = null, pending = false;
function at(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * W / r.width, (e.clientY - r.top) * H / r.height];
}
function stroke(a, b) {
  ctx.strokeStyle = "#000000";
  ctx.lineWidth = W / 14;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.stroke();
}
function later() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; classifyPad(); });
}
pad.addEventListener("pointerdown", (e) => {
  e.preventDefault();
  drawing = true;
  try { pad.setPointerCapture(e.pointerId); } catch (_) { /* a synthetic pointer */ }
  last = at(e);
  stroke(last, last);
  later();
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const p = at(e);
  stroke(last, p);
  last = p;
  later();
});
for (const type of ["pointerup", "pointercancel"])
  pad.addEventListener(type, () => {
    if (!drawing) return;
    drawing = false;
    classifyPad();
  });
$("clear").addEventListener("click", () => { clearPad(); classifyPad(); $("pad-note").textContent = ""; });

// ---- Drawing check: the pad and its preprocessing, on drawings whose result is known -----------
// It tests the page, not the network. A stroke sent as pointer events, as a mouse or finger would,
// must leave ink that the preprocessing turns into an input the way MNIST's were made: its ink box
// 20 pixels on its long side, its centre of mass at the centre of the field. Each test digit
// painted onto the pad, larger and shifted, must read back as the 28x28 image it was. What the
// network answers for each is shown, not graded: a network that has learned little still has a
// working page.
function drawStrokeEvents(points) {
  const r = pad.getBoundingClientRect();
  const send = (type, p) => pad.dispatchEvent(new PointerEvent(type, {
    clientX: r.left + p[0] * r.width / W, clientY: r.top + p[1] * r.height / H,
    pointerId: 7, pointerType: "mouse", isPrimary: true, buttons: type === "pointerup" ? 0 : 1,
    bubbles: true, cancelable: true }));
  send("pointerdown", points[0]);
  for (let i = 1; i < points.length; ++i)
    for (let t = 1; t <= 8; ++t) {
      const a = points[i - 1], b = points[i];
      send("pointermove", [a[0] + (b[0] - a[0]) * t / 8, a[1] + (b[1] - a[1]) * t / 8]);
    }
  send("pointerup", points[points.length - 1]);
}
// Test image i painted onto the pad `scale` times larger at (dx, dy), smoothed by the browser.
function paintSample(i, scale, dx, dy) {
  const small = document.createElement("canvas");
  small.width = COLS;
  small.height = ROWS;
  const sctx = small.getContext("2d"), img = sctx.createImageData(COLS, ROWS);
  for (let k = 0; k < N_IN; ++k) {
    const g = 255 - samplePixels[i * N_IN + k];
    img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = g;
    img.data[4 * k + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  clearPad();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(small, dx, dy, COLS * scale, ROWS * scale);
}
// An input's ink box (its long side, in pixels) and centre of mass.
function inkShape(x) {
  let x0 = COLS, x1 = -1, y0 = ROWS, y1 = -1, mass = 0, mx = 0, my = 0;
  for (let r = 0; r < ROWS; ++r)
    for (let c = 0; c < COLS; ++c) {
      const v = x[r * COLS + c];
      if (v > 0.1) x0 = Math.min(x0, c), x1 = Math.max(x1, c), y0 = Math.min(y0, r), y1 = Math.max(y1, r);
      mass += v, mx += v * (c + 0.5), my += v * (r + 0.5);
    }
  return { side: x1 < 0 ? 0 : Math.max(x1 - x0 + 1, y1 - y0 + 1), cx: mx / mass, cy: my / mass };
}
function drawCheck() {
  const results = [], box = 20 * Math.min(ROWS, COLS) / 28;
  clearPad();
  drawStrokeEvents([[W * 0.56, H * 0.15], [W * 0.52, H * 0.5], [W * 0.47, H * 0.85]]);
  const strokeInput = preprocess(padInk(), W, H), shape = inkShape(strokeInput);
  const centred = Math.abs(shape.cx - COLS / 2) <= 1 && Math.abs(shape.cy - ROWS / 2) <= 1;
  results.push({ what: "a stroke drawn with pointer events",
                 ok: shape.side >= box - 2 && shape.side <= box && centred,
                 seen: "ink box " + shape.side + " px, centre of mass (" + shape.cx.toFixed(1) + ", " + shape.cy.toFixed(1) +
                       "), read as " + classifyPad() });
  const cosines = [], seen = [];
  checks.draw.forEach((i, n) => {
    const scale = 5 + (n % 5) * W / 280;  // 5 to 9 times larger at 280 pixels
    const size = COLS * scale, room = Math.max(0, W - size);
    const dx = Math.round(room * ((n * 7) % 10) / 9), dy = Math.round(room * ((n * 3 + 4) % 10) / 9);
    paintSample(i, scale, dx, dy);
    const got = classifyPad(), back = preprocess(padInk(), W, H), original = sampleInput(i);
    let dot = 0, a2 = 0, b2 = 0;
    for (let k = 0; k < N_IN; ++k) dot += back[k] * original[k], a2 += back[k] * back[k], b2 += original[k] * original[k];
    const cosine = a2 > 0 && b2 > 0 ? dot / Math.sqrt(a2 * b2) : 0;
    cosines.push(cosine);
    seen.push("test image " + checks.index[i] + " (a " + checks.labels[i] + ") painted x" + scale + " at (" + dx + "," + dy +
              "): cosine " + cosine.toFixed(3) + ", read as " + got + " (the C++ program: " + checks.predicted[i] + ")");
  });
  if (cosines.length) {
    const mean = cosines.reduce((a, b) => a + b, 0) / cosines.length;
    results.push({ what: cosines.length + " test digits painted larger and shifted", ok: mean >= checks.draw_tolerance,
                   seen: "read back as 28x28 inputs with a mean cosine similarity of " + mean.toFixed(3) +
                         " to the originals (" + checks.draw_tolerance + " or more expected)" });
  }
  const good = results.filter((r) => r.ok).length, el = $("draw-check"), bad = results.find((r) => !r.ok);
  el.textContent = good === results.length ? "ok " + good + "/" + results.length
      : "FAIL " + good + "/" + results.length + ": " + bad.what + ": " + bad.seen;
  el.className = "r " + (good === results.length ? "ok" : "bad");
  $("draw-check-detail").textContent = results.map((r) => r.what + ": " + r.seen).join("; ") + ". " + seen.join("; ") +
      ". Graded: the stroke's input has the shape MNIST's inputs have, and the painted digits read back close to what " +
      "they were; the answers are the network's, shown, not graded.";
  $("pad-note").textContent = "The pad shows the drawing check's last digit; press Clear and draw your own.";
}

selfCheck();
drawCheck();
})();
