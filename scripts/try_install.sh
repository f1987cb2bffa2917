#!/usr/bin/env bash
# Install test: build the wheel, install it into a fresh venv, and follow the README's
# "Add Photodesk to an existing project" on a fresh Django site, block by block
# (scripts/readme_blocks.py), then migrate, collectstatic, check, analyse and search.
#
#   bash scripts/try_install.sh            # the set "plain" (a plain Django site)
#   bash scripts/try_install.sh wagtail    # another named set of README blocks
#
# What the set's pip block installs first (plain: the core, the app must run without any
# extra; wagtail: the core and the wagtail extra): the README's worker analyses two demo
# photos added by `ingest` to the site's image model, a search finds the cat. Then (plain)
# each extra in EXTRAS is added in turn with its time and the venv's size, and a photo with
# faces and text is analysed with all of them.
# Environment: PYTHON (python3.11), SHARED (../shared: demo photos and model files),
# PHOTODESK_SOURCE_MODELS (SHARED/models: the README's step 6 copies the model files from it),
# EXTRAS (plain: "faces ocr opensearch aws wagtail"; other sets: none),
# KEEP=1 keeps the temp folder.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SET="${1:-plain}"
PYTHON="${PYTHON:-python3.11}"
SHARED="${SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
# The extras once, after the plain site (a Wagtail site's set installs its own extra).
if [[ "$SET" == plain ]]; then EXTRAS="${EXTRAS-faces ocr opensearch aws wagtail}"; else EXTRAS="${EXTRAS-}"; fi
# The site starts with an empty MODEL_DIR; the README's step 6 fills it from this folder.
export PHOTODESK_SOURCE_MODELS="${PHOTODESK_SOURCE_MODELS:-$SHARED/models}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_QUIET=1
WORK="$(mktemp -d "${TMPDIR:-/tmp}/photodesk-try-install.XXXXXX")"
SITE="$WORK/site"
VENV="$WORK/venv"

stop_background() {
    # The README's background blocks (the worker) run in sessions of their own.
    if [[ -f "$SITE/.try-install-pids" ]]; then
        while read -r group; do
            kill -TERM -- "-$group" 2>/dev/null || true
        done < "$SITE/.try-install-pids"
        sleep 1
        while read -r group; do
            kill -KILL -- "-$group" 2>/dev/null || true
        done < "$SITE/.try-install-pids"
        rm -f "$SITE/.try-install-pids"
    fi
}
finish() {
    status=$?
    stop_background
    if [[ $status -ne 0 && -f "$SITE/.try-install-background.log" ]]; then
        echo "--- the background blocks' output (last 40 lines)"
        tail -40 "$SITE/.try-install-background.log"
    fi
    if [[ "${KEEP:-}" == 1 ]]; then echo "Kept $WORK"; else rm -rf "$WORK"; fi
    exit $status
}
trap finish EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
size_mb() { du -sm "$VENV" | cut -f1; }
TIMES=()
record() {  # STEP SECONDS [VENV_MB]
    TIMES+=("$(printf '%-34s %7s s%s' "$1" "$2" "${3:+$(printf ' %6s MB' "$3")}")")
}
fail() { echo "FAILED: $*" >&2; exit 1; }

echo "=== Build the wheel (sdist, then the wheel from it)"
t=$(now)
# From a copy of the files git knows (committed or not, ignored ones left out), so the
# build leaves nothing in the work tree and sees what a fresh clone has.
mkdir -p "$WORK/src"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) \
    | tar -xf - -C "$WORK/src"
BUILD_PYTHON="${BUILD_PYTHON:-$ROOT/.venv/bin/python}"
"$BUILD_PYTHON" -m build --outdir "$WORK/dist" "$WORK/src" > "$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log"; fail "the build"; }
WHEEL="$(ls "$WORK"/dist/photodesk-*.whl)"
echo "$(basename "$WHEEL") in $(since "$t") s"

echo "=== The wheel holds every file of photodesk/ and nothing else"
(cd "$ROOT" && git ls-files --cached --others --exclude-standard photodesk) > "$WORK/expected.txt"
"$BUILD_PYTHON" - "$WHEEL" "$WORK/expected.txt" <<'EOF'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
expected = set(open(sys.argv[2]).read().split())
tops = {name.split("/")[0] for name in names}
strays = sorted(t for t in tops if t != "photodesk" and not t.endswith(".dist-info"))
missing = sorted(expected - names)
unknown = sorted(n for n in names if n.startswith("photodesk/") and n not in expected)
for what, items in (("missing", missing), ("not in git", unknown), ("other packages", strays)):
    if items:
        print(f"{what}: {', '.join(items[:20])}")
if missing or unknown or strays:
    sys.exit(1)
data = sorted(n for n in names if n.startswith("photodesk/") and not n.endswith(".py"))
print(f"{len(names)} files, all {len(expected)} of photodesk/ ({len(data)} data files), "
      "no other package")
EOF

echo "=== Fresh venv ($PYTHON)"
"$PYTHON" -m venv "$VENV"
record "empty venv" "-" "$(size_mb)"
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV" PHOTODESK_WHEEL="$WHEEL"
unset PYTHONPATH DJANGO_SETTINGS_MODULE

echo "=== README blocks of the set '$SET', in order"
t=$(now)
python3 "$ROOT/scripts/readme_blocks.py" run --set "$SET" --project "$SITE"
record "README blocks (install, site)" "$(since "$t")" "$(size_mb)"
cd "$SITE"
python -c "import photodesk, sys; sys.exit(photodesk.__file__.startswith('$VENV') == False)" \
    || fail "photodesk is not imported from the venv"

echo "=== migrate, collectstatic, check"
t=$(now)
python manage.py migrate --noinput -v0
python manage.py makemigrations --check --dry-run -v0 || fail "the site has migrations to make"
python manage.py collectstatic --noinput -v0
[[ -n "$(find "$SITE/static" -path '*semantic_search*' -name '*.css' | head -1)" ]] \
    || fail "collectstatic found no Photodesk static files"
python manage.py check --fail-level WARNING 2>&1 | tee "$WORK/check.txt"
grep -q "photodesk.I040" "$WORK/check.txt" \
    || fail "check does not say which analyzers the core install leaves out"
record "migrate, collectstatic, check" "$(since "$t")" ""

wait_analysed() {  # COUNT: until COUNT analyses are done (the worker), 300 s at most
    local deadline=$(( $(date +%s) + 300 )) state
    while :; do
        state="$(python manage.py shell -v0 -c "
from photodesk.models import ImageAnalysis as A
print(A.objects.filter(status='done').count(), A.objects.filter(status='failed').count())" \
            | tail -1)"
        [[ "${state% *}" -ge "$1" ]] && return 0
        [[ "${state#* }" -gt 0 ]] && fail "an analysis failed"
        [[ $(date +%s) -lt $deadline ]] || fail "the worker analysed ${state% *} of $1 in 300 s"
        sleep 3
    done
}

echo "=== The worker analyses two demo photos; search finds the cat"
mkdir -p "$WORK/photos"
cp "$SHARED/photos/demo/animal_cat_chelsea.jpg" "$SHARED/photos/demo/food_coffee_cup.jpg" \
    "$WORK/photos/"
t=$(now)
python manage.py ingest "$WORK/photos" --no-progress
wait_analysed 2
python manage.py shell -v0 -c "
from photodesk.host import get_image_model, host
titles = [host().image_title(image) for image in get_image_model().objects.all()]
print('titles:', titles)
assert len(titles) == 2 and all(titles), 'an ingested image has no title'"
record "analyse 2 photos (worker)" "$(since "$t")" ""
t=$(now)
python manage.py search "a cat sitting" --limit 2 | tee "$WORK/search.txt"
head -3 "$WORK/search.txt" | grep -q "cat_chelsea" || fail "the cat is not the first result"
record "search" "$(since "$t")" ""
stop_background

if [[ -n "$EXTRAS" ]]; then
    echo "=== Each extra in turn"
    for extra in $EXTRAS; do
        t=$(now)
        pip install "$WHEEL[$extra]"
        record "+ $extra" "$(since "$t")" "$(size_mb)"
    done
    python manage.py check --fail-level WARNING 2>&1 | tee "$WORK/check.txt"
fi
if [[ " $EXTRAS " == *" faces "* && " $EXTRAS " == *" ocr "* ]]; then
    ! grep -q "photodesk.I040" "$WORK/check.txt" || fail "analyzers still left out"
    echo "=== With faces and ocr: a photo with a face and text"
    mkdir -p "$WORK/photos2"
    cp "$SHARED/photos/demo/people_astronaut_eileen_collins.jpg" "$WORK/photos2/"
    t=$(now)
    python manage.py ingest "$WORK/photos2" --sync --no-progress
    python manage.py shell -v0 -c "
from photodesk.models import ImageAnalysis
analysis = ImageAnalysis.objects.get(image__file__contains='astronaut')
assert analysis.status == 'done', analysis.error
print('faces:', analysis.face_count, '| text:', repr(analysis.ocr_text[:60]))
print('steps:', ', '.join(analysis.timings))
assert analysis.face_count >= 1, 'no face found'"
    record "analyse 1 photo, all analyzers" "$(since "$t")" ""
fi

echo
echo "=== Times and venv sizes (set '$SET')"
printf '%s\n' "${TIMES[@]}"
echo "Install test passed."
