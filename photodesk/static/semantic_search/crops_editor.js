/* The crops editor: drag the focal region over the picture (move it, resize it by its corner,
   or click elsewhere to centre it there); the crop of every ratio follows as a live preview
   (crop boxes from the server's crop function, the picture positioned in each frame), and the
   hidden fields hold the region the Save button stores. Plain JS, no library. */
(function () {
  "use strict";
  var root = document.querySelector("[data-crops-editor]");
  var configNode = document.getElementById("photodesk-crops-config");
  if (!root || !configNode) return;
  var config = JSON.parse(configNode.textContent);
  var stage = root.querySelector("[data-stage]");
  var picture = root.querySelector("[data-picture]");
  var focal = root.querySelector("[data-focal]");
  var handle = root.querySelector("[data-handle]");
  var label = root.querySelector("[data-focal-box]");
  var W = config.width, H = config.height;
  var box = config.box.slice(); // [x, y, w, h] in image pixels
  var MIN = Math.max(8, Math.round(Math.min(W, H) * 0.02));

  function scale() { return picture.clientWidth / W; }

  function clampBox(b) {
    var w = Math.min(Math.max(b[2], MIN), W), h = Math.min(Math.max(b[3], MIN), H);
    var x = Math.min(Math.max(b[0], 0), W - w), y = Math.min(Math.max(b[1], 0), H - h);
    return [Math.round(x), Math.round(y), Math.round(w), Math.round(h)];
  }

  function draw() {
    var s = scale();
    focal.style.left = box[0] * s + "px";
    focal.style.top = box[1] * s + "px";
    focal.style.width = box[2] * s + "px";
    focal.style.height = box[3] * s + "px";
    focal.setAttribute("aria-valuetext", box.join(", "));
    if (label) label.textContent = box.join(", ");
    ["x", "y", "width", "height"].forEach(function (name, i) {
      var field = root.querySelector('[data-field="' + name + '"]');
      if (field) field.value = box[i];
    });
  }

  // Each ratio's frame shows the crop box by placing the whole picture inside it.
  function showCrop(figure, crop) {
    figure.dataset.box = crop.join(",");
    var live = figure.querySelector("[data-live]");
    var frame = figure.querySelector(".photodesk-crop-frame");
    var k = frame.clientWidth / crop[2];
    live.style.width = W * k + "px";
    live.style.height = H * k + "px";
    live.style.left = -crop[0] * k + "px";
    live.style.top = -crop[1] * k + "px";
    live.hidden = false;
    figure.querySelector("[data-rendition]").hidden = true;
    figure.querySelector("[data-unsaved]").hidden = false;
  }

  var pending = false, again = false;
  function refreshCrops() {
    if (pending) { again = true; return; }
    pending = true;
    var asked = box.slice();
    fetch(config.preview + "?box=" + asked.join(","), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        root.querySelectorAll("[data-crop]").forEach(function (figure) {
          var crop = body.crops[figure.dataset.crop];
          if (crop) showCrop(figure, crop);
        });
        root.dataset.previewFor = asked.join(",");
      })
      .finally(function () {
        pending = false;
        if (again) { again = false; refreshCrops(); }
      });
  }

  function changed(next) {
    box = clampBox(next);
    draw();
    refreshCrops();
  }

  function imagePoint(event) {
    var rect = picture.getBoundingClientRect(), s = scale();
    return [(event.clientX - rect.left) / s, (event.clientY - rect.top) / s];
  }

  var drag = null;
  function start(event) {
    if (!config.editable || event.button !== 0) return;
    event.preventDefault();
    var p = imagePoint(event);
    var mode = event.target === handle ? "resize" : "move";
    if (event.target !== focal && event.target !== handle) {
      // A click on the picture: the region is centred there, then follows the pointer.
      changed([p[0] - box[2] / 2, p[1] - box[3] / 2, box[2], box[3]]);
    }
    drag = { mode: mode, from: p, box: box.slice() };
    stage.setPointerCapture(event.pointerId);
  }
  function move(event) {
    if (!drag) return;
    var p = imagePoint(event), dx = p[0] - drag.from[0], dy = p[1] - drag.from[1], b = drag.box;
    if (drag.mode === "move") changed([b[0] + dx, b[1] + dy, b[2], b[3]]);
    else changed([b[0], b[1], Math.min(b[2] + dx, W - b[0]), Math.min(b[3] + dy, H - b[1])]);
  }
  function end() { drag = null; }

  stage.addEventListener("pointerdown", start);
  stage.addEventListener("pointermove", move);
  stage.addEventListener("pointerup", end);
  stage.addEventListener("pointercancel", end);
  focal.addEventListener("keydown", function (event) {
    if (!config.editable) return;
    var step = Math.max(1, Math.round(Math.min(W, H) * 0.02));
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    var d = moves[event.key];
    if (!d) return;
    event.preventDefault();
    changed([box[0] + d[0], box[1] + d[1], box[2], box[3]]);
  });
  window.addEventListener("resize", draw);
  if (picture.complete) draw(); else picture.addEventListener("load", draw);
})();
