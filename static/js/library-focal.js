// The library's detail page: a click on the picture sets its focal point (the two number
// inputs of the form, fractions of the width and height from the top left); the arrow keys
// move it when the picture has the focus; typing in the inputs moves the marker. The crop
// previews show what stays in view.
(() => {
  "use strict";

  const frame = document.querySelector("[data-focal-picture]");
  const inputX = document.getElementById("id_focal_x");
  const inputY = document.getElementById("id_focal_y");
  if (!frame || !inputX || !inputY) return;
  const image = frame.querySelector("[data-focal-image]");
  const marker = frame.querySelector("[data-focal-marker]");
  const readout = document.querySelector("[data-focal-readout]");
  const crops = document.querySelectorAll("[data-focal-crop]");

  const clamp = (value) => Math.min(1, Math.max(0, value));
  const read = (input) => {
    const value = Number.parseFloat(input.value);
    return Number.isFinite(value) ? clamp(value) : 0.5;
  };

  function show() {
    const x = read(inputX);
    const y = read(inputY);
    marker.style.left = `${x * 100}%`;
    marker.style.top = `${y * 100}%`;
    for (const crop of crops) crop.style.objectPosition = `${x * 100}% ${y * 100}%`;
    readout.textContent = `Focal point: ${x.toFixed(2)} across, ${y.toFixed(2)} down.`;
  }

  function set(x, y) {
    // Hundredths, as the inputs step: finer than anyone can see in a crop.
    inputX.value = String(Math.round(clamp(x) * 100) / 100);
    inputY.value = String(Math.round(clamp(y) * 100) / 100);
    inputX.dispatchEvent(new Event("change", { bubbles: true }));
    inputY.dispatchEvent(new Event("change", { bubbles: true }));
    show();
  }

  image.addEventListener("click", (event) => {
    const box = image.getBoundingClientRect();
    set((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  });

  const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  frame.addEventListener("keydown", (event) => {
    const move = MOVES[event.key];
    if (!move) return;
    event.preventDefault();
    const step = event.shiftKey ? 0.1 : 0.02;
    set(read(inputX) + move[0] * step, read(inputY) + move[1] * step);
  });

  inputX.addEventListener("input", show);
  inputY.addEventListener("input", show);
  show();
})();
