"""AWS as drop-in providers: the plumbing behind the Rekognition analyzers
(analysis/analyzers/aws.py), Comprehend entities (search/text/entities_aws.py) and Bedrock
embeddings. Their system checks are in checks.py.

Small modules, one idea each:
- clients.py: boto3 clients built from the settings (region, endpoints, botocore retries);
- calls.py: one request with our backoff on throttling and clear errors for refusals;
- budget.py: a per-run limit on the number of calls (a dry run's counts come from
  analysis.pipeline.api_calls_per_image);
- images.py: what Rekognition is sent (an S3 object when the file is on S3, else JPEG bytes
  under the 5 MB limit) and how its relative boxes become pixels;
- bedrock.py: Titan text embeddings as the text embedder.
Nothing here runs at import time and nothing talks to AWS until an analyzer is used.
"""
