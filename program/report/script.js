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
// Each activation's rule, as the program that wrote the page knows it (one entry per name), and
// each hidden layer's phi', from z and y = phi(z), for the walk back (eq. 4).
const rule = /*ACTIVATIONS*/;
const slope = /*DERIVATIVES*/;

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
  $("self-check-detail").replaceChildren(bi("largest difference |JavaScript - C++| over " + checks.count + " test images: " +
                                              worst.toExponential(2) + " (tolerance " + checks.tolerance + ")",
                                              "la mayor diferencia |JavaScript - C++| en " + checks.count + " imágenes de prueba: " +
                                              worst.toExponential(2) + " (tolerancia " + checks.tolerance + ")"));
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
let padInput = null;  // the pad's last 28x28 input, for the walk
function classifyPad() {
  const x = preprocess(padInk(), W, H);
  padInput = x;
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
  $("pad-note").replaceChildren(bi("The pad shows the drawing check's last digit; press Clear and draw your own.",
                                   "El lienzo muestra el último dígito de la verificación del dibujo; oprima Borrar y dibuje el suyo."));
}

// ---- Backprop on one image: the notes' equations (1)-(6), walked by the page itself -------------
// The C++ program walked one test image through its own forward() and backward() and put its
// numbers in walk-data (program/explain.hpp); this walks any image again, independently, from the
// weights alone: forward (1), loss (2), delta_K = y_K - y (3), delta_{l-1} = (delta_l W_l^T) * phi'
// (4), grad_W_l = y_{l-1}^T delta_l, a step of (5). The walk check compares the two on the C++
// program's image. Two programs' numbers differ by rounding (JavaScript's Math.exp is not the C
// library's exp), and rounding is magnified where nearly equal numbers are subtracted (y_2 - y for a
// confident right answer): each number is compared within 1e-12 of its scale m, the size of the
// terms it is computed from, carried through the walk alongside it (m(z) = sum |y| |W| + |b|,
// m(delta_K) = m(y_K) + |y|, and so on). A wrong formula misses by far more.
const walkData = $("walk-data") ? JSON.parse($("walk-data").textContent) : null;
const testData = $("test-data") ? JSON.parse($("test-data").textContent) : null;
const WALK_TOLERANCE = 1e-12, MAPS_SHOWN = 128, CELLS_PER_ROW = 64;
const colours = model.colours;
const theta = layers.map((L) => ({ W: L.W, b: L.b }));  // W_l and b_l, l = 1 .. K at index l - 1
const K = layers.length, OUT = layers[K - 1];

// Test image i's pixels / 255, from its packed bytes (a run of zeros is 0, then its length - 1).
const testImages = testData && (() => {
  const packed = bytesOf(testData.packed_pixels), labels = bytesOf(testData.image_labels), starts = new Int32Array(testData.images);
  for (let i = 0, at = 0; i < testData.images; ++i) {
    starts[i] = at;
    for (let k = 0; k < N_IN;) if (packed[at] === 0) k += packed[at + 1] + 1, at += 2; else ++k, ++at;
  }
  return {
    labels,
    image(i) {
      const x = new Float64Array(N_IN);
      for (let k = 0, at = starts[i]; k < N_IN;) if (packed[at] === 0) k += packed[at + 1] + 1, at += 2; else x[k++] = packed[at++] / 255;
      return x;
    },
  };
})();

// The target y: the label (one sigmoid output) or its one-hot row (softmax).
function targetOf(label) {
  const t = new Float64Array(OUT.outputs);
  if (OUT.outputs === 1) t[0] = label; else t[label] = 1;
  return t;
}

// (1) The forward pass, with each value's scale m. P: the parameters, with eW, eb the scales of
// their own differences after a step of (5) (absent before).
function walkForward(x, P) {
  const z = [], y = [], mz = [], my = [];
  let input = x, minput = x.map(Math.abs);
  for (let l = 0; l < K; ++l) {
    const L = layers[l], n = L.outputs, Wl = P[l].W, eW = P[l].eW;
    const zl = new Float64Array(n), m = new Float64Array(n);
    for (let k = 0; k < L.inputs; ++k) {
      const v = input[k], mv = minput[k], row = k * n;
      if (v !== 0) for (let j = 0; j < n; ++j) zl[j] += v * Wl[row + j];  // z_l = y_{l-1} W_l ...
      if (mv !== 0) for (let j = 0; j < n; ++j) m[j] += mv * Math.abs(Wl[row + j]) + (eW ? Math.abs(v) * eW[row + j] : 0);
    }
    for (let j = 0; j < n; ++j) zl[j] += P[l].b[j], m[j] += Math.abs(P[l].b[j]) + (P[l].eb ? P[l].eb[j] : 0);  // ... + b_l
    const yl = Float64Array.from(rule[L.activation](zl)), ml = new Float64Array(n);  // y_l = phi_l(z_l)
    if (l + 1 < K) for (let j = 0; j < n; ++j) ml[j] = Math.abs(yl[j]) + (Math.abs(slope[L.activation](zl[j], yl[j])) + 1) * m[j];
    else if (n === 1) ml[0] = yl[0] + yl[0] * (1 - yl[0]) * m[0];
    else for (let j = 0; j < n; ++j) ml[j] = yl[j] * (1 + 2 * Math.max(...m));
    z.push(zl), y.push(yl), mz.push(m), my.push(ml);
    input = yl, minput = ml;
  }
  return { z, y, mz, my };
}

function logSigmoid(z) { return -(Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)))); }

// (2) This image's loss: binary cross-entropy, or the softmax's cross-entropy from z_K (the C++
// program's stable form: max z + log sum exp(z - max z) - z_label).
function walkLoss(f, t) {
  const y = f.y[K - 1], z = f.z[K - 1], mz = f.mz[K - 1];
  if (y.length === 1) {
    const p = y[0], label = t[0];
    let term = label * Math.log(p) + (1 - label) * Math.log(1 - p);
    if (!isFinite(term)) term = label * logSigmoid(z[0]) + (1 - label) * logSigmoid(-z[0]);  // y_2 rounded to 0 or 1
    return { loss: -term, m: Math.abs(term) + f.my[K - 1][0] * (label / p + (1 - label) / (1 - p)) };
  }
  const zMax = Math.max(...z);
  let sum = 0, zLabel = 0;
  for (let j = 0; j < z.length; ++j) sum += Math.exp(z[j] - zMax), zLabel += t[j] * z[j];
  const loss = zMax + Math.log(sum) - zLabel;
  return { loss, m: Math.abs(zMax) + Math.abs(Math.log(sum)) + Math.abs(zLabel) + 3 * Math.max(...mz) };
}

// (3), (4) The backward pass, each value with its scale.
function walkBackward(x, f, t, P) {
  const delta = [], md = [], dL_dy = [], mdy = [], phiPrime = [], mpp = [], gradW = [], mgW = [], gradB = [], mgB = [];
  delta[K - 1] = f.y[K - 1].map((v, j) => v - t[j]);                    // (3) delta_K = y_K - y
  md[K - 1] = f.my[K - 1].map((m, j) => m + Math.abs(t[j]));
  for (let l = K - 1; l >= 1; --l) {                                     // (4), down to the first layer
    const n = layers[l].outputs, inputs = layers[l].inputs, Wl = P[l].W, d = delta[l], mdl = md[l];
    const g = new Float64Array(inputs), mg = new Float64Array(inputs);
    for (let k = 0; k < inputs; ++k) {                                   // delta_l W_l^T
      let s = 0, ms = 0;
      for (let j = 0; j < n; ++j) s += d[j] * Wl[k * n + j], ms += mdl[j] * Math.abs(Wl[k * n + j]);
      g[k] = s, mg[k] = ms;
    }
    const z = f.z[l - 1], y = f.y[l - 1], act = layers[l - 1].activation;
    const pp = new Float64Array(inputs), mp = new Float64Array(inputs), dd = new Float64Array(inputs), mdd = new Float64Array(inputs);
    for (let k = 0; k < inputs; ++k) {
      pp[k] = slope[act](z[k], y[k]);                                     // phi_{l-1}'(z_{l-1})
      mp[k] = Math.abs(pp[k]) + f.my[l - 1][k] + f.mz[l - 1][k];
      dd[k] = g[k] * pp[k];                                               // delta_{l-1} = (delta_l W_l^T) * phi'
      mdd[k] = mg[k] * mp[k];
    }
    dL_dy[l - 1] = g, mdy[l - 1] = mg, phiPrime[l - 1] = pp, mpp[l - 1] = mp, delta[l - 1] = dd, md[l - 1] = mdd;
  }
  for (let l = 0; l < K; ++l) {                                          // grad_W_l = y_{l-1}^T delta_l
    const input = l === 0 ? x : f.y[l - 1], minput = l === 0 ? x : f.my[l - 1];
    const m = layers[l].inputs, n = layers[l].outputs, d = delta[l], gW = new Float64Array(m * n), mW = new Float64Array(m * n);
    for (let k = 0; k < m; ++k)
      for (let j = 0; j < n; ++j) {
        gW[k * n + j] = input[k] * d[j];
        mW[k * n + j] = Math.abs(minput[k]) * md[l][j];
      }
    gradW.push(gW), mgW.push(mW);
    gradB.push(d.map((v) => 0 + v)), mgB.push(md[l]);                   // grad_b_l: the sum of delta_l's one row
  }
  return { delta, md, dL_dy, mdy, phiPrime, mpp, gradW, mgW, gradB, mgB };
}

// (5) One step of gradient descent on every parameter, at rate alpha; with the gradients' scales,
// the step's own.
function stepped(P, g, alpha) {
  const descend = (theta_i, g_i) => theta_i - alpha * g_i;
  return P.map((p, l) => ({
    W: p.W.map((w, i) => descend(w, g.gradW[l][i])), b: p.b.map((v, j) => descend(v, g.gradB[l][j])),
    eW: g.mgW[l].map((m) => Math.abs(alpha) * m), eb: g.mgB[l].map((m) => Math.abs(alpha) * m),
  }));
}

function walkOf(x, label) {
  const t = targetOf(label), f = walkForward(x, theta), L = walkLoss(f, t);
  return { x, label, t, f, loss: L.loss, mloss: L.m, g: walkBackward(x, f, t, theta) };
}

function after(w, alpha) {
  const f = walkForward(w.x, stepped(theta, w.g, alpha)), L = walkLoss(f, w.t);
  return { y: f.y[K - 1], my: f.my[K - 1], loss: L.loss, mloss: L.m };
}

// The checker: (L(w + h) - L(w - h)) / 2h for one parameter, through this page's forward pass.
function centralDifference(w, layer, bias, row, col, h) {
  const lossAt = (shift) => {
    const P = theta.slice(), n = layers[layer].outputs;
    P[layer] = { W: bias ? theta[layer].W : Float64Array.from(theta[layer].W), b: bias ? Float64Array.from(theta[layer].b) : theta[layer].b };
    if (bias) P[layer].b[col] += shift; else P[layer].W[row * n + col] += shift;
    return walkLoss(walkForward(w.x, P), w.t).loss;
  };
  return (lossAt(h) - lossAt(-h)) / (2 * h);
}

// ---- Showing the walk --------------------------------------------------------------------------
// Every text in English and Spanish; the page's CSS shows the reader's language.
function bi(en, es) {
  const s = document.createElement("span");
  s.innerHTML = '<span class="en">' + en + '</span><span class="es">' + es + "</span>";
  return s;
}
function el(tag, className, ...children) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  for (const c of children) e.append(c);
  return e;
}
// A float as Python prints it (and the C++ program, program/output_files.hpp's python_float()).
function pyFloat(x) {
  if (Number.isNaN(x)) return "nan";
  if (!isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponent] = Math.abs(x).toExponential().split("e"), e = Number(exponent);
  const digits = mantissa.replace(".", ""), point = e + 1;
  let out = x < 0 ? "-" : "";
  if (point > -4 && point <= 16) {
    if (point <= 0) out += "0." + "0".repeat(-point) + digits;
    else if (point >= digits.length) out += digits + "0".repeat(point - digits.length) + ".0";
    else out += digits.slice(0, point) + "." + digits.slice(point);
  } else {
    out += digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + (e < 0 ? "e-" : "e+") + String(Math.abs(e)).padStart(2, "0");
  }
  return out;
}
// "a, b, c, ... (64 values)", as the terminal's walk shows a row.
function firstValues(v) {
  const shown = v.length <= 4 ? v.length : 3, parts = [];
  for (let i = 0; i < shown; ++i) parts.push(pyFloat(v[i]));
  return parts.join(", ") + (shown < v.length ? ", ... (" + v.length + ")" : "");
}
function colourOf(v) {  // v in [-1, 1] on the report's diverging scale
  const t = (Math.max(-1, Math.min(1, v)) + 1) / 2 * (colours.length - 1), i = Math.min(Math.floor(t), colours.length - 2), f = t - i;
  const a = colours[i], b = colours[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c])));
}
function largestAbs(v, count) {
  let m = 0;
  for (let i = 0; i < (count || v.length); ++i) m = Math.max(m, Math.abs(v[i]));
  return m > 0 ? m : 1;
}

const walkState = { w: null, unit: { layer: 0, index: 0 }, rate: walkData ? walkData.learning_rate : 1e-4, title: "" };
// Where the program computes a quantity of layer l (index l - 1), with its file when the walk's
// usual file ("where") is not it.
const WHERE = walkData ? walkData.code.where[0] : "";
const codeOf = (key, l) => {
  const c = walkData && walkData.code[key], line = c ? c[Math.min(l, c.length - 1)] || "" : "";
  return !line || /^[\w\/.]+\.[ch]pp: /.test(line) ? line : WHERE + ": " + line;
};

// One cell per value, coloured by its value over the row's largest (a row of at most 64 cells, then
// the next); onHover(i) and onClick(i) for the cell under the mouse.
function strip(v, onHover, onClick) {
  const cols = Math.min(v.length, CELLS_PER_ROW), rows = Math.ceil(v.length / cols), c = document.createElement("canvas");
  const size = v.length > 256 ? 6 : 10;
  c.width = cols * size, c.height = rows * size, c.className = "strip";
  const g = c.getContext("2d"), m = largestAbs(v);
  v.forEach((value, i) => {
    const [r, gr, b] = colourOf(value / m);
    g.fillStyle = "rgb(" + r + "," + gr + "," + b + ")";
    g.fillRect((i % cols) * size, Math.floor(i / cols) * size, size - 1, size - 1);
  });
  const cell = (e) => {
    const r = c.getBoundingClientRect(), x = Math.floor((e.clientX - r.left) * c.width / r.width / size);
    const i = Math.floor((e.clientY - r.top) * c.height / r.height / size) * cols + x;
    return i >= 0 && i < v.length ? i : -1;
  };
  c.addEventListener("mousemove", (e) => { const i = cell(e); if (i >= 0) onHover(i); });
  if (onClick) c.addEventListener("click", (e) => { const i = cell(e); if (i >= 0) onClick(i); }), c.classList.add("clickable");
  return c;
}

// One line of the walk: its equation's number, the formula in the notes' names, the shape, the
// values (a strip, and the first values, or the hovered one), and where the program computes it.
function line(number, formula, shape, v, options) {
  const o = options || {}, values = el("span", "vals", o.text !== undefined ? o.text : firstValues(v));
  const row = el("div", "eq", el("span", "eqn", number), el("code", "formula", formula), el("span", "shape", shape));
  const right = el("div", "eqv");
  if (o.strip !== false && v && v.length > 1) {
    right.append(strip(v, (i) => { values.textContent = o.name + "[" + i + "] = " + pyFloat(v[i]) + (o.hover ? o.hover(i) : ""); },
                       o.click));
    right.addEventListener("mouseleave", () => { values.textContent = firstValues(v); });
  }
  right.append(values);
  if (o.note) right.append(el("span", "detail", " ", o.note));
  row.append(right);
  if (o.code) row.append(el("div", "code", o.code));
  return row;
}

const shapeOf = (r, c) => "(" + r + ", " + c + ")";
const symbol = (act) => act === "sigmoid" ? "phi" : act;

// The first layer's gradient, grad_W1 = y_0^T delta_1: for each unit j, the image times delta_1[j],
// drawn as a map like the image. A click on a pixel checks that weight by finite differences.
function gradientMaps(w) {
  const n = layers[0].outputs, shown = Math.min(n, MAPS_SHOWN), perRow = 16, gap = 2;
  const c = document.createElement("canvas");
  c.id = "walk-maps";
  c.width = perRow * (COLS + gap), c.height = Math.ceil(shown / perRow) * (ROWS + gap);
  const g = c.getContext("2d"), img = g.createImageData(c.width, c.height), gW = w.g.gradW[0];
  let m = 0;
  for (let k = 0; k < N_IN; ++k) for (let j = 0; j < shown; ++j) m = Math.max(m, Math.abs(gW[k * n + j]));
  if (!(m > 0)) m = 1;
  for (let i = 0; i < img.data.length; i += 4) img.data[i] = img.data[i + 1] = img.data[i + 2] = img.data[i + 3] = 255;
  for (let j = 0; j < shown; ++j) {
    const x0 = (j % perRow) * (COLS + gap), y0 = Math.floor(j / perRow) * (ROWS + gap);
    for (let k = 0; k < N_IN; ++k) {
      const rgb = colourOf(gW[k * n + j] / m), at = 4 * ((y0 + Math.floor(k / COLS)) * c.width + x0 + (k % COLS));
      img.data[at] = rgb[0], img.data[at + 1] = rgb[1], img.data[at + 2] = rgb[2];
    }
  }
  g.putImageData(img, 0, 0);
  const readout = el("span", "vals", "");
  const at = (e) => {
    const r = c.getBoundingClientRect(), px = Math.floor((e.clientX - r.left) * c.width / r.width);
    const py = Math.floor((e.clientY - r.top) * c.height / r.height);
    const j = Math.floor(py / (ROWS + gap)) * perRow + Math.floor(px / (COLS + gap));
    const col = px % (COLS + gap), rw = py % (ROWS + gap);
    return j < shown && col < COLS && rw < ROWS ? { j, k: rw * COLS + col } : null;
  };
  c.addEventListener("mousemove", (e) => {
    const p = at(e);
    if (p) readout.textContent = "grad_W1[" + p.k + ", " + p.j + "] = y_0[" + p.k + "] delta_1[" + p.j + "] = " + pyFloat(w.x[p.k]) +
                                 " \u00d7 " + pyFloat(w.g.delta[0][p.j]) + " = " + pyFloat(gW[p.k * n + p.j]);
  });
  c.addEventListener("click", (e) => {
    const p = at(e);
    if (!p) return;
    walkState.unit = { layer: 0, index: p.j };
    showChecker(w, 0, false, p.k, p.j);
    showPhi(w);
  });
  const note = shown < n ? bi(" (the first " + shown + " of " + n + " units)", " (las primeras " + shown + " de " + n + " unidades)") : "";
  return el("div", "maps", c, el("div", "", readout, note));
}

// A layer's grad_W beyond the first, as a grid of cells (inputs down, units across), at most 64 x 64.
function gradientGrid(w, l) {
  const m = layers[l].inputs, n = layers[l].outputs, gW = w.g.gradW[l];
  if (n === 1) return null;  // a column: shown as a strip
  const rows = Math.min(m, 64), cols = Math.min(n, 64), size = 8, c = document.createElement("canvas");
  c.width = cols * size, c.height = rows * size, c.className = "strip clickable";
  const g = c.getContext("2d"), s = largestAbs(gW);
  for (let k = 0; k < rows; ++k)
    for (let j = 0; j < cols; ++j) {
      const [r, gr, b] = colourOf(gW[k * n + j] / s);
      g.fillStyle = "rgb(" + r + "," + gr + "," + b + ")";
      g.fillRect(j * size, k * size, size - 1, size - 1);
    }
  const readout = el("span", "vals", "");
  const at = (e) => {
    const r = c.getBoundingClientRect();
    return { k: Math.floor((e.clientY - r.top) * c.height / r.height / size), j: Math.floor((e.clientX - r.left) * c.width / r.width / size) };
  };
  const name = "grad_W" + (l + 1);
  c.addEventListener("mousemove", (e) => {
    const p = at(e);
    if (p.k < rows && p.j < cols) readout.textContent = name + "[" + p.k + ", " + p.j + "] = " + pyFloat(gW[p.k * n + p.j]);
  });
  c.addEventListener("click", (e) => { const p = at(e); if (p.k < rows && p.j < cols) showChecker(w, l, false, p.k, p.j); });
  return el("div", "maps", c, el("div", "", readout, rows < m || cols < n ? bi(" (the first " + rows + " x " + cols + ")", " (las primeras " + rows + " x " + cols + ")") : ""));
}

// The checker, made visible: backprop's value for one parameter beside the central difference.
function showChecker(w, l, bias, row, col) {
  const box = $("walk-fd"), h = walkData.h;
  const backprop = bias ? w.g.gradB[l][col] : w.g.gradW[l][row * layers[l].outputs + col];
  const numeric = centralDifference(w, l, bias, row, col, h);
  const scale = Math.max(Math.abs(backprop), Math.abs(numeric));
  const relative = scale === 0 ? 0 : Math.abs(backprop - numeric) / scale;
  // Agreement: 1e-5 relative, or within the rounding of the loss divided by h (for gradients near 0).
  const agree = Math.abs(backprop - numeric) <= 1e-5 * scale + 1e-14 * Math.max(1, Math.abs(w.loss)) / h;
  const name = bias ? "b_" + (l + 1) + "[" + col + "]" : "W_" + (l + 1) + "[" + row + ", " + col + "]";
  const gname = bias ? "grad_b" + (l + 1) + "[" + col + "]" : "grad_W" + (l + 1) + "[" + row + ", " + col + "]";
  box.dataset.parameter = name, box.dataset.backprop = backprop, box.dataset.numeric = numeric, box.dataset.agree = agree;
  box.textContent = "";
  box.append(el("b", "", bi("The checker", "El verificador")), ": ", el("code", "", name), " \u2014 backprop ", el("code", "", gname + " = " + pyFloat(backprop)),
             bi("; finite difference ", "; diferencia finita "), el("code", "", "(L(w + h) - L(w - h)) / 2h = " + pyFloat(numeric)),
             " (h = " + pyFloat(h) + ")", bi("; relative difference ", "; diferencia relativa "), el("b", "", relative.toPrecision(2)), ": ",
             agree ? bi("they agree.", "coinciden.") : bi("they differ.", "difieren."),
             el("div", "detail", bi("The page changes this one parameter by &plusmn;h, runs its forward pass (1) and loss (2) twice, and divides; " +
                                    "backprop got the same number from one backward pass. test_gradients.cpp checks every parameter this way.",
                                    "La página cambia este parámetro en &plusmn;h, calcula dos veces su propagación hacia adelante (1) y su pérdida (2), " +
                                    "y divide; la retropropagación obtuvo el mismo número con una sola pasada hacia atrás. test_gradients.cpp " +
                                    "verifica así cada parámetro.")));
  box.classList.toggle("agree", agree);
}

// (6) The chosen hidden unit's activation, its value and its slope there (the tangent).
function showPhi(w) {
  const box = $("walk-phi");
  box.textContent = "";
  if (K < 2) return;
  const l = walkState.unit.layer, j = walkState.unit.index, act = layers[l].activation;
  const z = w.f.z[l][j], y = w.f.y[l][j], s = slope[act](z, y);
  const lo = Math.min(-6, z - 1), hi = Math.max(6, z + 1), n = 241, xs = new Float64Array(n);
  for (let i = 0; i < n; ++i) xs[i] = lo + (hi - lo) * i / (n - 1);
  const ys = Float64Array.from(rule[act](xs));
  let ylo = Math.min(...ys, y), yhi = Math.max(...ys, y);
  if (yhi - ylo < 1e-9) yhi = ylo + 1;
  const Wd = 360, Hd = 200, px = (v) => 30 + (v - lo) / (hi - lo) * (Wd - 40), py = (v) => Hd - 20 - (v - ylo) / (yhi - ylo) * (Hd - 35);
  let path = "";
  for (let i = 0; i < n; ++i) path += (i ? "L" : "M") + px(xs[i]).toFixed(1) + " " + py(ys[i]).toFixed(1);
  const t0 = Math.max(lo, z - 2), t1 = Math.min(hi, z + 2);
  const ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 " + Wd + " " + Hd), svg.setAttribute("width", Wd), svg.setAttribute("height", Hd);
  svg.setAttribute("role", "img"), svg.setAttribute("aria-label", symbol(act) + " and its slope");
  svg.innerHTML = '<line x1="30" x2="' + (Wd - 10) + '" y1="' + py(Math.max(ylo, Math.min(yhi, 0))).toFixed(1) + '" y2="' +
      py(Math.max(ylo, Math.min(yhi, 0))).toFixed(1) + '" stroke="#c8cdd6"/>' +
      '<line x1="' + px(0).toFixed(1) + '" x2="' + px(0).toFixed(1) + '" y1="10" y2="' + (Hd - 20) + '" stroke="#c8cdd6"/>' +
      '<path d="' + path + '" fill="none" stroke="#2166ac" stroke-width="2"/>' +
      '<line x1="' + px(t0).toFixed(1) + '" y1="' + py(y + s * (t0 - z)).toFixed(1) + '" x2="' + px(t1).toFixed(1) + '" y2="' +
      py(y + s * (t1 - z)).toFixed(1) + '" stroke="#b2182b" stroke-width="2" stroke-dasharray="5 3"/>' +
      '<circle cx="' + px(z).toFixed(1) + '" cy="' + py(y).toFixed(1) + '" r="4.5" fill="#b2182b"/>' +
      '<text x="' + (Wd - 10) + '" y="' + (Hd - 5) + '" text-anchor="end" font-size="11">z</text>';
  const name = "z_" + (l + 1) + "[" + j + "]", phi = symbol(act);
  box.append(el("div", "eq", el("span", "eqn", "(6)"),
                el("code", "formula", phi + "(z)" + (act === "sigmoid" ? " = 1 / (1 + exp(-z)), phi'(z) = phi(z) (1 - phi(z))" : ", " + phi + "'(z)")),
                el("span", "shape", ""),
                el("div", "eqv", svg, el("div", "vals", bi("unit " + j + " of layer " + (l + 1) + ": ", "unidad " + j + " de la capa " + (l + 1) + ": "),
                                                   name + " = " + pyFloat(z) + ", " + phi + "(" + name + ") = " + pyFloat(y) + ", " + phi + "'(" +
                                                   name + ") = " + pyFloat(s),
                                                   el("div", "detail", bi("The dashed line is the tangent, of slope " + phi + "': the factor by which (4) " +
                                                                          "multiplies what reaches this unit. Click another unit (a cell of z, y or delta) to move it.",
                                                                          "La línea punteada es la tangente, de pendiente " + phi + "': el factor por el que (4) " +
                                                                          "multiplica lo que llega a esta unidad. Haga clic en otra unidad (una celda de z, y o delta) " +
                                                                          "para moverla.")))),
                el("div", "code", codeOf("phi", 0))));
}

// (5) One step on this image alone at the rate chosen, and what it did to y_K and to the loss.
function showStep(w) {
  const box = $("walk-step-result"), alpha = walkState.rate, a = after(w, alpha), change = a.loss - w.loss;
  let norm2 = 0;
  for (let l = 0; l < K; ++l) {
    for (const v of w.g.gradW[l]) norm2 += v * v;
    for (const v of w.g.gradB[l]) norm2 += v * v;
  }
  box.textContent = "";
  box.dataset.change = change < 0 ? "down" : change > 0 ? "up" : "unchanged";
  box.dataset.before = w.loss, box.dataset.after = a.loss;
  const k = String(K);
  box.append(el("div", "vals", "y_" + k + ": " + firstValues(w.f.y[K - 1]) + " \u2192 " + firstValues(a.y)),
             el("div", "vals", "l: " + pyFloat(w.loss) + " \u2192 " + pyFloat(a.loss) + " (" + (change <= 0 ? "" : "+") + change.toPrecision(3) +
                "; ", bi("to first order", "a primer orden"), " -alpha |grad|^2 = " + (-alpha * norm2).toPrecision(3) + ")"),
             el("div", change < 0 ? "verdict down" : "verdict up",
                change < 0 ? bi("The loss went down. For a small enough alpha it always does: to first order the step changes l by " +
                                "-alpha |grad|^2, which is negative.",
                                "La pérdida bajó. Con una alpha suficientemente pequeña siempre baja: a primer orden el paso cambia l en " +
                                "-alpha |grad|^2, que es negativo.")
                           : change > 0 ? bi("The loss went up: this alpha is too large for this image. A smaller one lowers it.",
                                             "La pérdida subió: esta alpha es demasiado grande para esta imagen. Una más pequeña la baja.")
                                        : bi("The loss did not change (a zero gradient, or a step below rounding).",
                                             "La pérdida no cambió (un gradiente cero, o un paso menor que el redondeo).")));
}

function showImage(x) {
  const c = document.createElement("canvas");
  c.width = COLS, c.height = ROWS, c.className = "walk-image";
  const g = c.getContext("2d"), img = g.createImageData(COLS, ROWS);
  for (let i = 0; i < N_IN; ++i) {
    const v = Math.round(255 * (1 - x[i]));
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v, img.data[4 * i + 3] = 255;
  }
  g.putImageData(img, 0, 0);
  return c;
}

// The whole walk of one image, in the notes' order: (1) forward, (2) loss, (3) output layer, (4)
// hidden layers from the top down, (5) a step, (6) the activation at a chosen unit, the checker.
function showWalk(x, label, titleEn, titleEs) {
  const w = walkOf(x, label), body = $("walk-body"), f = w.f, g = w.g;
  walkState.w = w;
  const d1 = g.delta[0];
  if (K > 1) {
    let best = 0;
    for (let j = 1; j < d1.length; ++j) if (Math.abs(d1[j]) > Math.abs(d1[best])) best = j;
    walkState.unit = { layer: 0, index: best };
  }
  body.textContent = "";
  const chooseUnit = (l) => l + 1 < K ? (i) => { walkState.unit = { layer: l, index: i }; showPhi(w); } : null;
  const ink = x.reduce((n, v) => n + (v !== 0), 0), said = predicted(f.y[K - 1]);
  body.append(el("div", "walk-head", showImage(x), el("div", "", el("b", "", bi(titleEn, titleEs)),
      el("div", "detail", bi("label y = " + label + "; the network says " + said + (said === label ? " (right)" : " (wrong)"),
                             "etiqueta y = " + label + "; la red dice " + said + (said === label ? " (bien)" : " (mal)"))))));
  body.append(line("(1)", "y_0 = x", shapeOf(1, N_IN), x, { name: "y_0", strip: false,
      text: "", note: bi("the pixels / 255, " + ink + " of them not 0 (ink)", "los pixeles / 255, " + ink + " distintos de 0 (tinta)") }));
  for (let l = 0; l < K; ++l) {
    const s = String(l + 1), b = String(l), act = layers[l].activation, n = layers[l].outputs;
    body.append(line("(1)", "z_" + s + " = y_" + b + " W_" + s + " + b_" + s, shapeOf(1, n), f.z[l],
                     { name: "z_" + s, click: chooseUnit(l), code: codeOf("z", l) }));
    const yName = "y_" + s, out = l + 1 === K;
    body.append(line("(1)", yName + " = " + (out && n > 1 ? "softmax" : symbol(act)) + "(z_" + s + ")", shapeOf(1, n), f.y[l],
                     { name: yName, click: chooseUnit(l), code: out ? codeOf("y_K", 0) || codeOf("y", l) : codeOf("y", l) }));
  }
  const k = String(K), yK = f.y[K - 1];
  body.append(line("(2)", OUT.outputs === 1 ? "l = -[y log y_" + k + " + (1 - y) log(1 - y_" + k + ")]" : "l = -log y_" + k + "[" + label + "]",
                   "(1, 1)", [w.loss], { name: "l", note: bi("this image's term of L", "el término de esta imagen en L"), code: codeOf("loss", 0) }));
  for (let l = K - 1; l >= 0; --l) {
    const s = String(l + 1), above = String(l + 2), n = layers[l].outputs, m = layers[l].inputs, eq = l + 1 === K ? "(3)" : "(4)";
    const act = layers[l].activation, phi = symbol(act);
    if (l + 1 === K) {
      body.append(line(eq, "delta_" + s + " = y_" + s + " - y", shapeOf(1, n), g.delta[l],
                       { name: "delta_" + s, code: codeOf("delta_K", 0) || codeOf("delta", l) }));
    } else {
      body.append(line(eq, "dL/dy_" + s + " = delta_" + above + " W_" + above + "^T", shapeOf(1, n), g.dL_dy[l],
                       { name: "dL/dy_" + s, click: chooseUnit(l), code: codeOf("dL_dy", l) }));
      body.append(line(eq, phi + "'(z_" + s + ")" + (act === "sigmoid" ? " = y_" + s + " (1 - y_" + s + ")" : ""), shapeOf(1, n), g.phiPrime[l],
                       { name: phi + "'(z_" + s + ")", click: chooseUnit(l), code: codeOf("phi_prime", l) }));
      body.append(line(eq, "delta_" + s + " = dL/dy_" + s + " * " + phi + "'(z_" + s + ")", shapeOf(1, n), g.delta[l],
                       { name: "delta_" + s, click: chooseUnit(l), note: bi("(* element by element)", "(* elemento a elemento)"),
                         code: codeOf("delta", l) }));
    }
    const input = l === 0 ? "y_0" : "y_" + l;
    const gradLine = line(eq, "grad_W" + s + " = " + input + "^T delta_" + s, shapeOf(m, n), n === 1 ? g.gradW[l] : [],
                          { name: "grad_W" + s, strip: n === 1, text: n === 1 ? firstValues(g.gradW[l]) : "",
                            click: n === 1 ? (i) => showChecker(w, l, false, i, 0) : null,
                            note: l === 0 ? bi("each map: the image times one delta_1[j]; click a pixel for the checker",
                                               "cada mapa: la imagen por un delta_1[j]; haga clic en un pixel para el verificador")
                                          : n === 1 ? bi("(" + m + ", 1), drawn as a row; click a cell", "(" + m + ", 1), dibujado como renglón; haga clic en una celda")
                                                    : bi("click a cell for the checker", "haga clic en una celda para el verificador"),
                            code: codeOf("grad", l) });
    body.append(gradLine);
    if (l === 0) gradLine.insertBefore(gradientMaps(w), gradLine.querySelector(".code"));  // a row of its own, as wide as the walk
    else if (n > 1) gradLine.insertBefore(gradientGrid(w, l), gradLine.querySelector(".code"));
    body.append(line(eq, "grad_b" + s + " = sum of delta_" + s + "'s rows", shapeOf(1, n), g.gradB[l],
                     { name: "grad_b" + s, click: (i) => showChecker(w, l, true, 0, i),
                       note: bi("(one image: delta_" + s + " itself)", "(una imagen: delta_" + s + " mismo)"), code: codeOf("grad", l) }));
  }
  // (5)
  const rate = el("input");
  rate.type = "number", rate.id = "walk-rate", rate.step = "any", rate.value = String(walkState.rate);
  rate.addEventListener("change", () => { const v = Number(rate.value); if (v > 0 && isFinite(v)) walkState.rate = v, showStep(w); });
  const times = (factor) => {
    const bt = el("button", "", factor > 1 ? "\u00d710" : "\u00f710");
    bt.type = "button";
    bt.addEventListener("click", () => { walkState.rate *= factor; rate.value = String(walkState.rate); showStep(w); });
    return bt;
  };
  const result = el("div", "step-result");
  result.id = "walk-step-result";
  body.append(el("div", "eq", el("span", "eqn", "(5)"), el("code", "formula", "theta <- theta - alpha dL/dtheta"), el("span", "shape", ""),
                 el("div", "eqv", el("label", "", bi("every W_l and b_l, on this image alone; alpha = ", "cada W_l y b_l, con esta imagen sola; alpha = "), rate),
                    " ", times(0.1), " ", times(10), result),
                 el("div", "code", codeOf("step", 0))));
  const phiBox = el("div", "");
  phiBox.id = "walk-phi";
  const fd = el("div", "walk-fd");
  fd.id = "walk-fd";
  fd.append(bi("The checker: click a pixel of a grad_W1 map, or a cell of another gradient.",
               "El verificador: haga clic en un pixel de un mapa de grad_W1, o en una celda de otro gradiente."));
  body.append(phiBox, fd);
  showStep(w);
  showPhi(w);
  return w;
}

function walkTestImage(i) {
  if (!testImages || !(i >= 0 && i < testData.images)) return null;
  const label = testImages.labels[i];
  $("walk-index").value = String(i);
  return showWalk(testImages.image(i), label, "Test image " + i + ", a " + label, "Imagen de prueba " + i + ", un " + label);
}

function setUpWalk() {
  if (!walkData || !testImages) return;
  $("walk-show").addEventListener("click", () => walkTestImage(Math.round(Number($("walk-index").value))));
  $("walk-index").addEventListener("change", () => walkTestImage(Math.round(Number($("walk-index").value))));
  const pick = $("walk-mistake");
  for (const i of testData.mistakes.slice(0, 1000)) {  // an untrained network's thousands: the first 1000
    const o = document.createElement("option");
    o.value = String(i), o.textContent = i + " (" + testImages.labels[i] + ")";
    pick.append(o);
  }
  pick.addEventListener("change", () => { if (pick.value !== "") walkTestImage(Number(pick.value)); });
  $("walk-drawing").addEventListener("click", () => {
    if (!padInput || !padInput.some((v) => v > 0)) {
      $("walk-body").prepend(el("p", "note", bi("The pad is empty: draw a digit first.", "El lienzo está vacío: dibuje un dígito primero.")));
      return;
    }
    const label = Number($("walk-label").value);
    showWalk(padInput, label, "Your drawing, as a " + label, "Su dibujo, como un " + label);
  });
  for (const tile of document.querySelectorAll(".mistake[data-image]"))
    tile.addEventListener("click", () => { walkTestImage(Number(tile.dataset.image)); $("walk").scrollIntoView(); });
}

// ---- Walk check: the page's walk against the C++ program's, on the C++ program's image ---------
function walkCheck() {
  const el_ = $("walk-check");
  if (!walkData || !testImages) { el_.textContent = "none: this page has no walk"; return; }
  const results = [], w = walkTestImage(walkData.image), f = w.f, g = w.g;
  const compare = (what, js, m, cpp) => {
    let worst = 0, ok = js.length === cpp.length, first = ok ? "" : js.length + " values, C++ " + cpp.length;
    for (let i = 0; ok && i < cpp.length; ++i) {
      const c = cpp[i] === null ? NaN : cpp[i];
      if (Object.is(js[i], c) || js[i] === c) continue;
      const d = Math.abs(js[i] - c) / m[i];
      if (!(d <= WALK_TOLERANCE)) ok = false, first = "value " + i + ": JavaScript " + js[i] + ", C++ " + c;
      if (!(d <= worst)) worst = d;
    }
    results.push({ what, ok, worst, first });
  };
  for (let l = 0; l < K; ++l) {
    const C = walkData.layers[l], s = String(l + 1), n = layers[l].outputs, cols = C.grad_W_cols, cppW = doublesOf(C.grad_W);
    compare("z_" + s, f.z[l], f.mz[l], C.z);
    compare("y_" + s, f.y[l], f.my[l], C.y);
    compare("delta_" + s, g.delta[l], g.md[l], C.delta);
    compare("grad_b" + s, g.gradB[l], g.mgB[l], C.grad_b);
    const js = [], m = [];
    for (let k = 0; k < layers[l].inputs; ++k) for (let j = 0; j < cols; ++j) js.push(g.gradW[l][k * n + j]), m.push(g.mgW[l][k * n + j]);
    compare("grad_W" + s + (cols < n ? " (its first " + cols + " columns)" : ""), js, m, Array.from(cppW));
    if (l + 1 < K) {
      compare("dL/dy_" + s, g.dL_dy[l], g.mdy[l], C.dL_dy);
      compare("phi'(z_" + s + ")", g.phiPrime[l], g.mpp[l], C.phi_prime);
    }
  }
  compare("l", [w.loss], [w.mloss], [walkData.loss]);
  const a = after(w, walkData.learning_rate);
  compare("y_" + K + " after a step of (5)", a.y, a.my, walkData.after.y);
  compare("l after a step of (5)", [a.loss], [a.mloss], [walkData.after.loss]);
  // A click on a pixel of a grad_W1 map, dispatched as a mouse's would be: the checker's finite
  // difference must agree with backprop.
  const maps = $("walk-maps"), n1 = layers[0].outputs, shown = Math.min(n1, MAPS_SHOWN);
  let unit = 0, pixel = 0;
  for (let j = 1; j < shown; ++j) if (Math.abs(g.delta[0][j]) > Math.abs(g.delta[0][unit])) unit = j;
  for (let k = 0; k < N_IN; ++k)  // the first ink pixel closest to 0.5, as the C++ program picks
    if (w.x[k] !== 0 && (w.x[pixel] === 0 || Math.abs(w.x[k] - 0.5) < Math.abs(w.x[pixel] - 0.5))) pixel = k;
  const r = maps.getBoundingClientRect(), perRow = 16, gap = 2;
  // The canvas's pixel x, as a whole CSS pixel inside it (a mouse's coordinates are whole pixels).
  const inside = (start, x, scale) => {
    const at = Math.ceil(start + x * scale);
    return at < start + (x + 1) * scale ? at : start + (x + 0.5) * scale;
  };
  const cx = (unit % perRow) * (COLS + gap) + (pixel % COLS), cy = Math.floor(unit / perRow) * (ROWS + gap) + Math.floor(pixel / COLS);
  maps.dispatchEvent(new MouseEvent("click", { clientX: inside(r.left, cx, r.width / maps.width), clientY: inside(r.top, cy, r.height / maps.height),
                                                bubbles: true, cancelable: true }));
  const fd = $("walk-fd").dataset, clicked = "W_1[" + pixel + ", " + unit + "]";
  results.push({ what: "a click on " + clicked + " in the grad_W1 maps: the finite difference agrees with backprop",
                 ok: fd.parameter === clicked && fd.agree === "true",
                 worst: "it showed " + fd.parameter + ": backprop " + fd.backprop + ", finite difference " + fd.numeric });
  const step = $("walk-step-result").dataset;
  results.push({ what: "a step of (5) at alpha = " + walkData.learning_rate + " lowers this image's loss",
                 ok: step.change === "down" || (step.change === "unchanged" && w.loss === 0), worst: step.before + " -> " + step.after });
  const good = results.filter((x) => x.ok).length, bad = results.find((x) => !x.ok);
  el_.textContent = good === results.length ? "ok " + good + "/" + results.length
      : "FAIL " + good + "/" + results.length + ": " + bad.what + " (" + (bad.first || bad.worst) + ")";
  el_.className = "r " + (good === results.length ? "ok" : "bad");
  const worst = Math.max(...results.filter((x) => typeof x.worst === "number").map((x) => x.worst));
  $("walk-check-detail").replaceChildren(bi(
      "test image " + walkData.image + ", " + results.length + " checks: every value of z, y, delta, grad_W, grad_b, dL/dy, phi', the loss " +
      "and the step's, within " + WALK_TOLERANCE + " of its scale (largest " + worst.toExponential(2) + "); a click's finite difference; " +
      "a step that lowers the loss",
      "imagen de prueba " + walkData.image + ", " + results.length + " verificaciones: cada valor de z, y, delta, grad_W, grad_b, dL/dy, " +
      "phi', la pérdida y los del paso, dentro de " + WALK_TOLERANCE + " de su escala (la mayor " + worst.toExponential(2) + "); la " +
      "diferencia finita de un clic; un paso que baja la pérdida"));
}

selfCheck();
drawCheck();
setUpWalk();
walkCheck();
// The checks have redrawn the page: back to the part the address names (report.html#walk).
if (location.hash && document.getElementById(location.hash.slice(1))) document.getElementById(location.hash.slice(1)).scrollIntoView();
})();
