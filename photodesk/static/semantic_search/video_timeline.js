// The video page's timeline: a bar plays the video from its start, through the time
// fragment of its link (#t=seconds), so the same link works without this script.
document.addEventListener("click", (event) => {
  const bar = event.target.closest(".pd-video .pd-bar");
  if (!bar) return;
  const box = bar.closest(".pd-video");
  const player = box.querySelector("video");
  if (!player) return;
  event.preventDefault();
  const start = parseFloat(bar.dataset.start) || 0;
  player.src = `${box.dataset.file}#t=${start}`;
  player.dataset.requested = String(start);
  box.querySelectorAll(".pd-bar.pd-active").forEach((b) => b.classList.remove("pd-active"));
  bar.classList.add("pd-active");
  const now = box.querySelector(".pd-now");
  if (now) now.textContent = `Playing from ${bar.title}`;
  player.play().catch(() => {}); // autoplay may be refused: the position is set anyway
});

// The page opened at a time (#t=seconds, as the suggest panel's shot cards link it): the
// player starts there and the shot holding that time is marked.
function openAtRequestedTime() {
  const match = /(?:^#|&)t=([\d.]+)/.exec(window.location.hash);
  const box = document.querySelector(".pd-video");
  const player = box && box.querySelector("video");
  if (!match || !player) return;
  const start = parseFloat(match[1]);
  player.src = `${box.dataset.file}#t=${start}`;
  player.dataset.requested = String(start);
  const shots = Array.from(box.querySelectorAll(".pd-shot"));
  const shot = shots.reverse().find((s) => parseFloat(s.dataset.start) <= start + 0.05);
  if (shot) {
    shot.classList.add("pd-active");
    shot.scrollIntoView({ block: "nearest" });
    const now = box.querySelector(".pd-now");
    if (now) now.textContent = `From ${shot.title}`;
  }
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", openAtRequestedTime);
else openAtRequestedTime();
