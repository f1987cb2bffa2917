"""Every Photodesk setting in one place, with its default.

Sites configure the plugin with one dict in their settings::

    PHOTODESK = {"IMAGE_MODEL": "news.Photo", "MODEL_DIR": "/srv/models", ...}
    PHOTODESK_IMAGE_MODEL = PHOTODESK["IMAGE_MODEL"]  # for migrations, like AUTH_USER_MODEL

No default names a model or function of a particular site: IMAGE_MODEL is required (a system
check says so), and what needs an article model or a usage function is off until the site
names its own.

Code reads settings only through `photodesk_settings` so defaults and validation live here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from photodesk.extras import missing_extra

# Every analyzer of a full install (`pip install "photodesk[all]"`), in the order they run.
ALL_ANALYZERS = [
    "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
    "photodesk.analysis.analyzers.labels.LabelAnalyzer",
    "photodesk.analysis.analyzers.faces.FaceAnalyzer",
    "photodesk.analysis.analyzers.text.TextAnalyzer",
    "photodesk.analysis.analyzers.safety.SafetyAnalyzer",
]

DEFAULTS: dict[str, Any] = {
    # The image model the plugin attaches to (any model with a FileField/ImageField). Required.
    "IMAGE_MODEL": None,
    # Name of the file field on that model.
    "IMAGE_FILE_FIELD": "file",
    # How Photodesk reads the site's models: a photodesk.host.Host (sub)class. The default
    # reads the fields named below; a site whose models need more overrides a method or two.
    "HOST": "photodesk.host.Host",
    # Fields of the image model by role (a site names only those that differ; a role whose
    # field the model lacks reads as empty). "rights" with choices: values suggestions may
    # reuse ("forbidden" never); "added": a DateTimeField.
    "IMAGE_FIELDS": {
        "title": "title",
        "caption": "caption",
        "credit": "credit",
        "rights": "rights",
        "added": "created",
        "original_filename": "original_filename",
    },
    # The site's article model ("app_label.Model"; None: none) and its fields by role: the
    # title, the body (plain text or HTML) and the lead image (a ForeignKey to the image model).
    "ARTICLE_MODEL": None,
    "ARTICLE_FIELDS": {"title": "title", "body": "body", "lead_image": "lead_image"},
    # What the editor's "Insert into body" writes for an image ({id}: its primary key); Photodesk
    # finds the images an article uses by it and never reads it as words.
    "ARTICLE_IMAGE_TOKEN": "[image:{id}]",
    # Where the model files are (README, "Model files"; `manage.py photodesk_models fetch`
    # fills it). A relative path is taken from the site's BASE_DIR, else the working folder.
    "MODEL_DIR": "var/models",
    # Dotted path of the vector/keyword index backend.
    "INDEX_BACKEND": "photodesk.search.index.embedded.EmbeddedIndex",
    # Where the embedded index persists itself.
    "INDEX_PATH": "var/index",
    # OpenSearch (INDEX_BACKEND photodesk.search.index.opensearch.OpenSearchIndex). The
    # URL may carry credentials (https://user:password@host:9200); https means TLS.
    "OPENSEARCH_URL": None,
    # The alias searches use; it points at a versioned index (photodesk-images-v3).
    "OPENSEARCH_INDEX": "photodesk-images",
    "OPENSEARCH_USERNAME": None,
    "OPENSEARCH_PASSWORD": None,
    "OPENSEARCH_VERIFY_CERTS": True,
    "OPENSEARCH_CA_CERTS": None,
    "OPENSEARCH_TIMEOUT": 10.0,
    # After a write: False (visible within the refresh interval, 1 s; production),
    # "wait_for" or "true" (visible at once; tests).
    "OPENSEARCH_REFRESH": False,
    "OPENSEARCH_SHARDS": 1,
    "OPENSEARCH_REPLICAS": 1,
    # HNSW graph parameters, chosen with benchmarks/index_scale.py (README, "OpenSearch").
    "OPENSEARCH_HNSW_M": 16,
    "OPENSEARCH_HNSW_EF_CONSTRUCTION": 128,
    # Article queries fall between subjects, where the true 10 nearest are near ties. A
    # rebuilt index serves from one merged graph (OPENSEARCH_MERGE_SEGMENTS), which explores
    # less than many small ones: at 1M images 400 finds 0.83 of them, 2000 0.95, 3000 0.97,
    # for ~3 ms more per kNN query (README, "One suggestion at archive scale").
    "OPENSEARCH_EF_SEARCH": 3000,
    # Bulk writes: documents per request; retries of transient failures, first pause (s).
    "OPENSEARCH_BULK_SIZE": 500,
    # Bulk requests in flight during a rebuild (the node indexes one while the next is made).
    "OPENSEARCH_BULK_CONCURRENCY": 2,
    "OPENSEARCH_MAX_RETRIES": 3,
    "OPENSEARCH_RETRY_BACKOFF": 0.5,
    # Seconds the replaced index lives on after a reindex swaps the alias (running searches).
    "OPENSEARCH_SWAP_GRACE": 5.0,
    # A rebuilt index is force-merged down to at most this many segments before it serves
    # (each segment is a separate HNSW graph a kNN query searches; merging rebuilds graphs,
    # minutes at 100k images: README, "OpenSearch"). 0 or None: serve the segments as loaded.
    "OPENSEARCH_MERGE_SEGMENTS": 1,
    # An index write that fails (node down) is retried by a task: first after this many
    # seconds, doubling, this many times; `manage.py reconcile` repairs anything left.
    "INDEX_RETRY_SECONDS": 30,
    "INDEX_RETRY_ATTEMPTS": 8,
    # After this many index writes fail in a row, writes fail at once for INDEX_DOWN_SECONDS
    # (the index is known down; analyses are still saved and caught up later), per process.
    "INDEX_DOWN_AFTER_FAILURES": 3,
    "INDEX_DOWN_SECONDS": 30.0,
    # Who may read /metrics (photodesk.metrics.urls) besides staff with the view permission
    # on image analyses: a scraper sending "Authorization: Bearer <METRICS_TOKEN>" (None: no
    # token), or one from these addresses (REMOTE_ADDR; behind a proxy, use the token).
    "METRICS_TOKEN": None,
    "METRICS_ALLOWED_IPS": ["127.0.0.1", "::1"],
    # The readiness probe (photodesk.health.urls) waits at most this long for the index.
    "HEALTH_INDEX_TIMEOUT": 2.0,
    # Analyzers run for each image, in order (dotted paths to Analyzer classes). The default
    # leaves out those whose extra is not installed (faces, ocr); `check` lists them.
    "ANALYZERS": [path for path in ALL_ANALYZERS if not missing_extra(path)],
    # Classifiers whose logits are averaged (file names under MODEL_DIR/imagenet); the visual
    # vector is the first one's embedding. Adding mobilenet_v2 did not improve search on the
    # evaluation set and costs 50 ms an image.
    "CLASSIFIERS": ["efficientnet_lite0"],
    # Where derived, rebuildable data is cached (class prompt embeddings).
    "CACHE_DIR": "var/cache",
    # Raw classifier detections below this confidence (0-100) are not kept on the analysis.
    "LABEL_MIN_CONFIDENCE": 5.0,
    # Tags (taxonomy labels on images): at or above ACCEPT a label is applied, between REVIEW
    # and ACCEPT it waits in the review queue, below REVIEW it is not stored. Labels may
    # override both. Chosen with benchmarks/labels.py (README, "Labels").
    "LABEL_ACCEPT_THRESHOLD": 50.0,
    "LABEL_REVIEW_THRESHOLD": 20.0,
    # Safety: images scoring at or above this (0-1, open_nsfw) are flagged, left out of
    # suggestions and announced to SAFETY_NOTIFY_EMAILS and SAFETY_WEBHOOK_URL.
    "SAFETY_FLAG_THRESHOLD": 0.8,
    "SAFETY_NOTIFY_EMAILS": [],
    "SAFETY_WEBHOOK_URL": None,
    # Alerts (photodesk/alerts/): the first match of a rule waits this long for others, so a
    # burst of uploads is sent as one digest; a rule's own minimum interval applies after.
    # Those two settings act as a built-in "flagged" rule (AlertRule.from_settings).
    "ALERT_DIGEST_SECONDS": 60,
    # How often the schedule checks count rules (N images in a window, failures per hour)
    # and saved searches for new results.
    "ALERT_CHECK_MINUTES": 5,
    # Seconds a webhook (alert or safety) may take before it counts as failed.
    "ALERT_WEBHOOK_TIMEOUT": 5,
    # Hard limits on what the pipeline accepts.
    "MAX_FILE_BYTES": 50 * 1024 * 1024,
    "MAX_PIXELS": 80_000_000,
    # The site's video model ("app_label.Model"; None: no videos) and its file field. Videos
    # need the `video` extra (PyAV). The title is read from IMAGE_FIELDS' "title" name.
    "VIDEO_MODEL": None,
    "VIDEO_FILE_FIELD": "file",
    # Hard limits on the videos the pipeline accepts (checked before any frame is analysed).
    "VIDEO_MAX_BYTES": 4 * 1024**3,
    "VIDEO_MAX_SECONDS": 4 * 3600,
    "VIDEO_MAX_PIXELS": 3840 * 2160,
    # Frames looked at per second to find shot changes (cheap: a colour histogram each).
    "VIDEO_SAMPLE_FPS": 2.0,
    # Histogram distance (0-1) between two sampled frames that starts a new shot.
    "VIDEO_SHOT_THRESHOLD": 0.35,
    # A long shot is cut into slices of at most this many seconds, one analysed frame each.
    "VIDEO_FRAME_EVERY_SECONDS": 10.0,
    # Frames are analysed at most this size (long edge, pixels): faces and text need detail.
    "VIDEO_FRAME_SIDE": 1280,
    # Kept frames analysed together: models with a batch dimension (the classifiers) run once
    # per batch. 1: one at a time; on this CPU (one thread a session) batches of 8 gained
    # nothing (benchmarks/video_batch.py, README "Video"); more threads or a GPU may differ.
    "VIDEO_BATCH_FRAMES": 1,
    # Video shots beside the photos in an article's suggestions (the panels too). None: when
    # the video extra is installed and a video has been analysed; True or False to decide.
    "SUGGEST_VIDEOS": None,
    # Short side (px) of the copy text detection runs on, whatever the photo's size. Smaller
    # is faster and misses small text: 544 halves the text step on web-sized photos and keeps
    # 0.81 of the lines read at 736 (benchmarks/ocr_recall.py; README, "Text in images").
    "TEXT_DETECT_SIDE": 736,
    # Text detection only where a quick look at a small copy finds text likely: "photo" (on
    # photos where it sees any), "regions" (only around what it sees: under half the time, but
    # it lost 7 of 56 lines) or None (every photo, whole). Recorded in the reader's version.
    # README, "Text in images".
    "TEXT_GATE": "photo",
    # Threads of every model library in a worker: ONNX sessions, numpy's BLAS, OpenCV
    # (the worker is the unit of parallelism: one worker per core).
    "INFERENCE_THREADS": 1,
    # What runs the image models' ONNX files (labels, safety, text detection): "onnxruntime",
    # or "openvino" (`pip install "photodesk[openvino]"`), which computes in bfloat16 on CPUs
    # that have it: 1.33x the demo photos per second through two workers on this project's
    # CPU, ~150 MB more per worker, labels and text very nearly alike. Recorded in the models'
    # versions. README, "Inference engines".
    "INFERENCE_ENGINE": "onnxruntime",
    # How many of one query's texts (an article's opening, passages and key phrases) the
    # local text model embeds at once, each on its own thread, in the process that searches:
    # a 4-text suggestion's embedding took 38 ms one after another and ~22 ms two at a time
    # on 2 cores. 1 for a web server that is busy with many searches at once.
    "QUERY_EMBEDDING_THREADS": 2,
    # Run analysis inline instead of queueing it (tests, scripts).
    "ANALYZE_SYNC": False,
    # Weight of the keyword side in hybrid fusion (vector side is 1); measured with
    # benchmarks/quality.py together with SEARCH_FUSION (README, "Search quality"). Low for
    # free-text search: only photos with words score on the keyword side, so a high weight
    # buries every uncaptioned photo of a mixed archive (R@10 0.34 at 1.0, 0.51 at 0.25;
    # the no-caption archive is unchanged). Suggestions keep 1.0 (their keywords are the
    # article's key phrases; 0.25 cost them P@10 0.588 -> 0.537).
    "KEYWORD_WEIGHT": 0.25,
    # A query of at most SHORT_QUERY_WORDS words (stop words aside) is a lookup: a name, a
    # place, a word printed in the photo. Its keyword side weighs this much instead.
    "SHORT_QUERY_WORDS": 2,
    "SHORT_QUERY_KEYWORD_WEIGHT": 1.0,
    "SUGGEST_KEYWORD_WEIGHT": 1.0,
    # --- Faces and people ---
    # False: faces are detected and counted, but no embedding is computed or stored, nobody is
    # recognised and clustering does nothing (a privacy switch).
    "FACE_RECOGNITION": True,
    # "hog" (dlib HOG, upsampled once, on a 1024-px image), "cnn" (dlib MMOD CNN on a 640-px
    # image: on this CPU 5-25x HOG's cost, no more faces found) or "blazeface" (MediaPipe's,
    # its file from the mediapipe wheel into EYES_MODEL_DIR: ~7 ms a photo, finds more faces
    # and more that are not: README, "Faces").
    "FACE_DETECTOR": "hog",
    # Euclidean distance between 128-d dlib embeddings (same person usually < 0.6). A new usable
    # face at most AUTO from a named person's faces is assigned to them; up to REVIEW it waits
    # for a reviewer. Chosen with benchmarks/faces.py (README, "Faces").
    "FACE_AUTO_DISTANCE": 0.45,
    "FACE_REVIEW_DISTANCE": 0.6,
    # Unnamed faces closer than this are linked when clustering (dlib's chinese whispers);
    # a cluster needs at least MIN_SIZE faces.
    "FACE_CLUSTER_DISTANCE": 0.5,
    "FACE_CLUSTER_MIN_SIZE": 2,
    # Face crops for the admin: longest side in pixels, JPEG quality.
    "FACE_THUMBNAIL_SIZE": 112,
    "FACE_THUMBNAIL_QUALITY": 85,
    # --- Smart crops (photodesk.crops) ---
    # The named aspect ratios (width:height) every image has a crop and a rendition for.
    "CROP_RATIOS": ["16:9", "4:3", "1:1", "4:5", "9:16"],
    # The crop the suggest panel previews for the lead image (one of CROP_RATIOS).
    "CROP_PREVIEW_RATIO": "16:9",
    # The saliency map that places the focal region of a photo without faces: "edges"
    # (edge/contrast) or "spectral" (spectral residual); None: such photos are cropped in the
    # centre. Edges measured better and faster (benchmarks/crops.py, README "Smart crops").
    "CROP_SALIENCY": "edges",
    # Crop renditions: long side in pixels (a request may ask for a smaller one).
    "CROP_RENDITION_SIZE": 1280,
    # --- Words borrowed from visually similar photos ---
    # A photo with fewer than BORROW_BELOW_WORDS words people wrote (title, caption, IPTC)
    # borrows the words of its BORROW_NEIGHBOURS nearest photos that have them (classifier
    # embedding, cosine at least BORROW_MIN_SIMILARITY), softmax-weighted by similarity with
    # BORROW_TEMPERATURE, added to its vector with BORROW_WEIGHT (never to its caption or
    # keywords). Measured with benchmarks/quality.py --mixed (README, "Borrowed words").
    "BORROW_WORDS": True,
    "BORROW_BELOW_WORDS": 3,
    "BORROW_NEIGHBOURS": 10,
    "BORROW_MIN_SIMILARITY": 0.35,
    "BORROW_TEMPERATURE": 0.1,
    "BORROW_WEIGHT": 1.0,
    # A photo's words changed (new, edited, deleted): at most this many nearest photos that
    # borrow are refreshed (those that list it, and those whose list it would now enter).
    "BORROW_REFRESH_LIMIT": 200,
    # --- Duplicates ---
    # Near-duplicates (resized, re-encoded, lightly cropped or marked copies of one picture)
    # are looked for after each analysis and grouped for review in the admin ("Duplicates").
    # Thresholds measured with benchmarks/duplicates.py (README, "Duplicates").
    "FIND_DUPLICATES": True,
    # --- Words from use ---
    # The title and summary of the articles that use an image enter its vector with this
    # weight (a caption's is 1.0; the classifier's part is 1.0) and its keyword side through
    # the low-weighted "usage" field: an article is about its story, the photo only shows part
    # of it. Chosen with benchmarks/usage_words.py (README "Words from use"): 0.25 keeps most
    # of the gain when the title fits the photo and costs nothing when it does not. 0 leaves
    # them out of the vector (they stay listed and on the keyword side).
    "USAGE_WORDS_WEIGHT": 0.25,
    # --- Article suggestions ---
    # How the vector and keyword rankings are fused: "scores" (min-max normalised scores,
    # added) or "rrf" (reciprocal rank fusion). Chosen with benchmarks/quality.py (README,
    # "Search quality"), as are the weights below.
    "SEARCH_FUSION": "scores",
    # Candidates ranked before boosts, penalties and diversification pick the final list.
    "SUGGEST_POOL": 50,
    # Maximal marginal relevance over the stored vectors: 1.0 = off; lower trades relevance
    # for variety. A result at least DUPLICATE_SIMILARITY (cosine) from a higher one is
    # a near-duplicate: it is moved below the results that are not.
    "SUGGEST_MMR_LAMBDA": 0.98,
    "SUGGEST_DUPLICATE_SIMILARITY": 0.99,
    # Added to the relevance (the best candidate has 1.0): the photo shows a person named in
    # the article; recency (halving every HALF_LIFE days since the image was added); never used
    # in an article. Subtracted: used in an article within RECENT_USE_DAYS.
    "SUGGEST_PERSON_BOOST": 0.5,
    "SUGGEST_RECENCY_BOOST": 0.05,
    "SUGGEST_RECENCY_HALF_LIFE_DAYS": 365,
    "SUGGEST_UNUSED_BOOST": 0.05,
    "SUGGEST_RECENT_USE_PENALTY": 0.5,
    "SUGGEST_RECENT_USE_DAYS": 30,
    # Dotted path of a function (image ids) -> {image id: datetime of its latest use}: which
    # images articles already use (the demo's reads its Article's lead image and body). None:
    # usage is unknown, suggestions neither boost unused images nor penalise recent ones.
    "SUGGEST_USAGE_FUNCTION": None,
    # Dotted path of a function text -> [Entity(text, kind)] that finds the people, places and
    # organisations of an article: spaCy here, or Amazon Comprehend
    # ("photodesk.search.text.entities_aws.entities", README "Running on AWS").
    "ENTITY_FUNCTION": "photodesk.search.text.entities.entities",
    # --- REST API ---
    # Per-user request rates (DRF's "number/period": s, min, hour, day); None: unlimited.
    # Uploads run the models, searches embed the query: both are the expensive requests.
    "API_UPLOAD_RATE": "60/hour",
    "API_SEARCH_RATE": "120/min",
    # Failed sign-ins at /api/v1/auth/token/ per client address (only wrong passwords count);
    # then 429 with Retry-After. Behind a proxy set DRF's NUM_PROXIES so the address is the
    # client's, not the proxy's.
    "API_LOGIN_RATE": "20/hour",
    # Who may read the OpenAPI schema and its Swagger UI / ReDoc pages: "public" (anyone),
    # "staff" (signed-in staff users), "off" (404). None: "public" with DEBUG, else "staff".
    "API_SCHEMA_ACCESS": None,
    # Page size of every list (clients may ask for up to API_MAX_PAGE_SIZE with ?page_size=).
    "API_PAGE_SIZE": 50,
    "API_MAX_PAGE_SIZE": 200,
    # Results of search, similar images, suggestions and face search (at most).
    "API_RESULT_LIMIT": 50,
    # --- AWS providers ---
    # Region of Rekognition, Comprehend and Bedrock (None: boto3's own chain: AWS_REGION,
    # AWS_DEFAULT_REGION, the profile). Credentials always come from boto3's chain.
    "AWS_REGION": None,
    # Service name → endpoint URL, for VPC endpoints or emulators ({"rekognition": "https://…"}).
    "AWS_ENDPOINT_URLS": {},
    # Rekognition: labels and text lines below this confidence (0–100) are not returned;
    # from LABEL_REVIEW_THRESHOLD they wait for review, from LABEL_ACCEPT_THRESHOLD applied.
    "AWS_REKOGNITION_MIN_CONFIDENCE": 30.0,
    "AWS_REKOGNITION_MAX_LABELS": 50,
    "AWS_REKOGNITION_MODERATION_MIN_CONFIDENCE": 50.0,
    # Also call RecognizeCelebrities for photos with faces (never when FACE_RECOGNITION is off).
    "AWS_REKOGNITION_CELEBRITIES": True,
    # Send files stored on S3 (in Rekognition's region) by reference instead of as bytes.
    "AWS_REKOGNITION_S3_OBJECTS": True,
    # Our retries on throttling, per call: requests in all, first pause (s, doubling), cap.
    "AWS_MAX_ATTEMPTS": 5,
    "AWS_RETRY_BACKOFF": 1.0,
    "AWS_RETRY_MAX_BACKOFF": 20.0,
    # Default for `manage.py analyze --budget`: most paid AWS calls one backfill run may make
    # (None: no limit).
    "AWS_BACKFILL_BUDGET": None,
    # botocore's standard retry mode inside each request (connection errors, 5xx).
    "AWS_BOTOCORE_MAX_ATTEMPTS": 3,
    "AWS_TIMEOUT": 30.0,
    # Comprehend: entities below this score (0–1) are dropped; the articles' language.
    "AWS_COMPREHEND_MIN_SCORE": 0.5,
    "AWS_COMPREHEND_LANGUAGE": "en",
    # Bedrock text embeddings (TEXT_EMBEDDER = "photodesk.aws.bedrock.titan_text_embedder"):
    # the model and its output dimension (Titan text v2: 256, 512 or 1024); the search index
    # mapping takes the dimension from the configured embedder (then run `manage.py analyze`
    # and `reindex`).
    "AWS_BEDROCK_EMBEDDING_MODEL": "amazon.titan-embed-text-v2:0",
    "AWS_BEDROCK_DIMENSION": 512,
    # The text embedder: an InferenceModel class (local MiniLM) or a function returning one.
    "TEXT_EMBEDDER": "photodesk.inference.text_embedding.SentenceEmbedder",
    # --- A joint image–text model (CLIP family, README "Bring your own image–text model") ---
    # A model folder in Immich's ONNX layout (relative: under MODEL_DIR). When set, an image's
    # vector is its visual embedding and a query's its text embedding (TEXT_EMBEDDER is not
    # used); `manage.py reindex --re-embed` switches the archive to it, and back when unset.
    "CLIP_MODEL_DIR": None,
    # Taxonomy labels applied zero-shot: each active leaf label's prompts (these templates,
    # averaged) against the image's vector, softmax over the labels with the model's
    # temperature (folder name → temperature; "default" for the others), routed through
    # LABEL_ACCEPT_THRESHOLD / LABEL_REVIEW_THRESHOLD like any label.
    "CLIP_ZERO_SHOT_LABELS": True,
    "CLIP_PROMPTS": ["a photo of {label}.", "a news photo of {label}.", "a picture of {label}."],
    "CLIP_TEMPERATURE": {"default": 0.01},
    # --- Series: frames of one scene seconds apart, and the best of each (README "Series") ---
    # Group photos into series as they are analysed (and show only the best of a series in
    # suggestions unless asked for the others).
    "SERIES": True,
    # Two frames with capture times (EXIF) belong to one series when taken this many seconds
    # apart at most, by the same camera, and their visual vectors (cosine) reach
    # SERIES_SIMILARITY_TIMED. Photos without a capture time must reach SERIES_SIMILARITY and
    # are compared with the SERIES_UNTIMED_CANDIDATES photos without one that arrived last.
    # Measured (benchmarks/series.py, generated bursts against 440 eval photos): no distinct
    # pair reaches 0.75 (max 0.71), burst frames 0.45-1.0 (median 0.97; a motion-blurred frame
    # is the low end); within the time window distinct photos are rare, so 0.65 is safe there.
    "SERIES_WINDOW_SECONDS": 30,
    "SERIES_SIMILARITY": 0.75,
    "SERIES_SIMILARITY_TIMED": 0.65,
    "SERIES_UNTIMED_CANDIDATES": 200,
    # Weights of the parts of a frame's score (each 0-1): sharpness (variance of the
    # Laplacian), exposure (clipped pixels), face size, eyes open (eye aspect ratio from the
    # face mesh), smile (the expression model's "happy"). Parts a series lacks (no faces) are
    # left out. A blurred frame or shut eyes weigh most: an editor never wants those.
    "SERIES_WEIGHTS": {
        "sharpness": 3.0,
        "exposure": 1.0,
        "face_size": 1.0,
        "eyes_open": 3.0,
        "smile": 1.0,
    },
    # Where face_landmark/face_landmark.tflite is (None: MODEL_DIR). Without it the eyes are
    # not scored (photodesk.W110 says so).
    "EYES_MODEL_DIR": None,
    # --- Wagtail (photodesk.contrib.wagtail) ---
    # Mirror tags into the Wagtail image's tags: None (off), "accepted" (tags a reviewer
    # accepted) or "visible" (those and the ones applied automatically). Photodesk adds them,
    # removes the ones it added when they are rejected, and never removes a tag people added.
    "WAGTAIL_TAG_LABELS": None,
    # Page models that get the "Suggested images" panel, and their fields:
    # {"news.ArticlePage": {"body": "body", "lead_image": "lead_image"}} (body: a RichTextField
    # or StreamField; lead_image: a ForeignKey to the image model; either may be None).
    "WAGTAIL_SUGGEST_PAGES": {},
    # The Wagtail rendition filter of the panel's thumbnails.
    "WAGTAIL_THUMBNAIL_FILTER": "max-320x240",
}

# Old key → the key it became: a site's settings may still use the old one.
ALIASES = {"API_ARTICLE_MODEL": "ARTICLE_MODEL"}

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif")


# Modules that moved (the regroup by capability, then the package's rename from
# `semantic_search` to `photodesk`): dotted paths a site's settings may still name. They keep
# working (translated on read, first match wins); checks.py warns (photodesk.W002).
MOVED_PATHS = {
    "semantic_search.analyzers.": "photodesk.analysis.analyzers.",
    "semantic_search.index.opensearch.": "photodesk.search.index.opensearch.",
    "semantic_search.index.embedded.": "photodesk.search.index.embedded.",
    "semantic_search.text.": "photodesk.search.text.",
    "semantic_search.": "photodesk.",
}
# Settings whose values are dotted paths (one, or a list).
PATH_SETTINGS = (
    "ANALYZERS",
    "INDEX_BACKEND",
    "TEXT_EMBEDDER",
    "ENTITY_FUNCTION",
    "SUGGEST_USAGE_FUNCTION",
    "HOST",
)


def current_path(path: str) -> str:
    """`path` with a module that moved replaced by its new place."""
    for old, new in MOVED_PATHS.items():
        if isinstance(path, str) and path.startswith(old):
            return new + path[len(old) :]
    return path


# How to name the image model, for the errors that say it is missing or wrong.
IMAGE_MODEL_FIX = (
    'In settings: PHOTODESK = {"IMAGE_MODEL": "app_label.Image", ...} and '
    'PHOTODESK_IMAGE_MODEL = PHOTODESK["IMAGE_MODEL"], naming the site\'s image model (one '
    "with a FileField or ImageField; PHOTODESK['IMAGE_FILE_FIELD'] names it, default \"file\")."
)

# The image foreign keys' target when the site names no image model: no model at all, so the
# app still loads and `manage.py check` can say what to set (photodesk.E002, E004).
MISSING_IMAGE_MODEL = "semantic_search.ImageModelNotSet"


def image_model_label() -> str:
    """The image model as the foreign keys and migrations name it (PHOTODESK_IMAGE_MODEL,
    a top-level setting like AUTH_USER_MODEL)."""
    return getattr(settings, "PHOTODESK_IMAGE_MODEL", None) or MISSING_IMAGE_MODEL


def user_settings() -> dict[str, Any]:
    """The site's PHOTODESK dict, as written."""
    return getattr(settings, "PHOTODESK", {}) or {}


# Settings whose None is a choice, not "the default": an unlimited rate, crops without a
# saliency map, text read without a gate. Any other setting given as None takes its default.
NONE_IS_A_CHOICE = frozenset(
    {"API_UPLOAD_RATE", "API_SEARCH_RATE", "API_LOGIN_RATE", "CROP_SALIENCY", "TEXT_GATE"}
)


class PhotodeskSettings:
    """Attribute access to PHOTODESK with defaults; re-reads Django settings each time so
    `override_settings` in tests works."""

    def __getattr__(self, name: str) -> Any:
        name = ALIASES.get(name, name)
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown Photodesk setting {name!r}")
        user = user_settings()
        old = [alias for alias, new in ALIASES.items() if new == name and alias in user]
        value = user.get(name)
        if value is None and name in user and name in NONE_IS_A_CHOICE:
            return None
        if value is None:  # unset (or None): the old name's value, else the default
            value = user[old[0]] if old else DEFAULTS[name]
        if name in PATH_SETTINGS:
            if isinstance(value, list | tuple):
                return [current_path(v) for v in value]
            return current_path(value)
        return value

    @property
    def model_dir(self) -> Path:
        # From BASE_DIR, so the web process, the worker and `photodesk_models fetch` agree on
        # one folder whatever directory each is started from.
        path = Path(self.MODEL_DIR)
        base = getattr(settings, "BASE_DIR", None)
        return Path(base) / path if base and not path.is_absolute() else path

    @property
    def eyes_model_dir(self) -> Path:
        if not self.EYES_MODEL_DIR:
            return self.model_dir
        path = Path(self.EYES_MODEL_DIR)
        base = getattr(settings, "BASE_DIR", None)
        return Path(base) / path if base and not path.is_absolute() else path

    @property
    def clip_model_dir(self) -> Path | None:
        if not self.CLIP_MODEL_DIR:
            return None
        path = Path(self.CLIP_MODEL_DIR)
        return path if path.is_absolute() else self.model_dir / path

    @property
    def cache_dir(self) -> Path:
        return Path(self.CACHE_DIR)

    @property
    def index_path(self) -> Path:
        return Path(self.INDEX_PATH)


photodesk_settings = PhotodeskSettings()
