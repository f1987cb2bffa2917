// Keyboard review in the admin changelist: j/k move, x selects, a approves, r rejects
// (the selected rows, or the current one when none is selected).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const rows = Array.from(document.querySelectorAll("#result_list tbody tr"));
    const form = document.getElementById("changelist-form");
    const action = form && form.querySelector("select[name=action]");
    if (!rows.length || !action) return;
    let current = 0;
    const focus = (i) => {
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach((r, j) => r.classList.toggle("photodesk-current", j === current));
      rows[current].scrollIntoView({block: "nearest"});
    };
    const box = (row) => row.querySelector("input.action-select");
    const run = (name) => {
      if (!rows.some((r) => box(r).checked)) box(rows[current]).click();
      action.value = name;
      form.querySelector("button[name=index], input[name=index]").click();
    };
    document.addEventListener("keydown", (e) => {
      if (e.target.closest("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
      const keys = {j: () => focus(current + 1), k: () => focus(current - 1),
                    x: () => box(rows[current]).click(), a: () => run("approve_labels"),
                    r: () => run("reject_labels")};
      if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
    });
    focus(0);
  });
})();
